package dev.tusk.replication;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * A walsender frozen (SIGSTOP) under a blocking stream: the status updates the client keeps writing fill the socket
 * buffers, and the write that cannot go on is bounded by the stream's server timeout as its reads are: it fails with
 * an OperationalException saying the server stopped reading, the connection closed, instead of blocking for ever
 * under the connection's lock. And a START_REPLICATION a frozen walsender never answers ends within the same bound.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrozenWalSenderTest {
    private static final Duration SERVER_TIMEOUT = Duration.ofSeconds(1);
    private static final StreamOptions OPTIONS = StreamOptions.DEFAULTS.withServerTimeout(SERVER_TIMEOUT)
            .withStatusInterval(Duration.ofHours(1)).withCloseTimeout(Duration.ofSeconds(1));
    /** Filling the socket buffers (megabytes of 39-byte updates), the timeout, and what a loaded machine adds. */
    private static final Duration BOUND = Duration.ofSeconds(20);

    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_frozen");
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    @Test
    void statusUpdatesToAFrozenWalSenderFailWithinTheServerTimeout() throws Exception {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo() + " sslmode=disable")) {
            SystemIdentity id = rc.identifySystem();
            Lsn start = Lsn.of(id.xlogPosition().value() & ~0xFFFFFFL);
            ReplicationStream s = rc.startPhysical(null, start, id.timeline(), OPTIONS);
            AtomicLong lastWritten = new AtomicLong();
            AtomicLong sent = new AtomicLong();
            Throwable[] out = new Throwable[1];
            long[] failedAt = new long[1];
            FrozenBackend.frozen(rc.connection().info().backendPid(), () -> {
                CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
                    while (true) {
                        s.sendStatusNow();
                        sent.incrementAndGet();
                        lastWritten.set(System.nanoTime());
                    }
                }));
                try {
                    out[0] = f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    failedAt[0] = System.nanoTime();
                } catch (TimeoutException e) {
                    rc.connection().close(); // lets the stuck thread go
                    fail("sendStatusNow() still blocked " + BOUND.toMillis() + " ms into a frozen walsender ("
                            + sent.get() + " status updates written before)");
                }
            });
            long blockedMs = (failedAt[0] - lastWritten.get()) / 1_000_000;
            System.out.println("status updates written before the buffers were full: " + sent.get()
                    + "; the last write failed " + blockedMs + " ms after the previous one");
            assertThat(out[0]).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("stopped reading").hasMessageContaining(SERVER_TIMEOUT.toMillis() + " ms")
                    .hasMessageContaining("the connection is closed");
            assertThat(sent.get()).as("updates written before the write blocked").isPositive();
            assertThat(blockedMs).as("the blocked write's duration").isBetween(SERVER_TIMEOUT.toMillis() - 100, 6000L);
            assertThat(rc.connection().isBroken()).isTrue();
            assertThat(s.isEnded()).isTrue();
            assertThat(catchThrowable(rc::identifySystem)).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("stopped reading");
            s.close(); // nothing to end: the connection is gone
        }
    }

    @Test
    void startReplicationOnAFrozenWalSenderFailsWithinTheServerTimeout() throws Exception {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo() + " sslmode=disable")) {
            SystemIdentity id = rc.identifySystem();
            Lsn start = Lsn.of(id.xlogPosition().value() & ~0xFFFFFFL);
            Throwable[] out = new Throwable[1];
            long[] took = new long[1];
            FrozenBackend.frozen(rc.connection().info().backendPid(), () -> {
                long t0 = System.nanoTime();
                CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> catchThrowable(
                        () -> rc.startPhysical(null, start, id.timeline(), OPTIONS)));
                try {
                    out[0] = f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    rc.connection().close();
                    fail("START_REPLICATION still waiting " + BOUND.toMillis() + " ms into a frozen walsender");
                }
                took[0] = (System.nanoTime() - t0) / 1_000_000;
            });
            assertThat(out[0]).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("did not start the stream within " + SERVER_TIMEOUT.toMillis() + " ms");
            assertThat(took[0]).isBetween(SERVER_TIMEOUT.toMillis() - 100, 6000L);
            assertThat(rc.connection().isBroken()).isTrue();
        }
    }

    /**
     * The async twin: status updates to a frozen walsender pile up in the connection's output (they never block a
     * thread); the stream gives up on the silent server within the server timeout, and every update that was not
     * written fails then, rather than reporting a write that never happened.
     */
    @Test
    void asyncStatusUpdatesToAFrozenWalSenderFailWithinTheServerTimeout() throws Exception {
        AsyncReplicationConnection rc = AsyncReplicationConnection.connectPhysical(db.conninfo() + " sslmode=disable")
                .get(10, TimeUnit.SECONDS);
        try {
            SystemIdentity id = rc.identifySystem().get(10, TimeUnit.SECONDS);
            Lsn start = Lsn.of(id.xlogPosition().value() & ~0xFFFFFFL);
            AsyncReplicationStream<XLogData> s = rc.startPhysical(null, start, id.timeline(), OPTIONS)
                    .get(10, TimeUnit.SECONDS);
            CompletableFuture<?>[] last = new CompletableFuture<?>[1];
            FrozenBackend.frozen(rc.connection().info().backendPid(), () -> {
                for (int i = 0; i < 400_000; i++) { // 15 MB of updates: more than the socket buffers take
                    last[0] = s.sendStatusNow();
                }
                Throwable t = catchThrowable(() -> last[0].get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
                assertThat(t).as("the last of 400000 updates to a frozen walsender").isNotNull()
                        .isNotInstanceOf(TimeoutException.class);
                assertThat(t.getCause()).isInstanceOf(OperationalException.class).hasMessageContaining("stopped reading");
            });
        } finally {
            rc.close();
        }
    }
}
