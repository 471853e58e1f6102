package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.observe.ConnectionClosed;
import dev.tusk.observe.TuskListener;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link TuskListener#connectionClosed} is told once, as soon as a connection is found broken (not later, when
 * its user closes it), on both drivers: a network cut (FaultProxy) and a frozen backend (SIGSTOP) that outlasts
 * the socket timeout.
 */
@TuskTest
@Timeout(60)
class ConnectionBreakListenerTest {

    static final class Closes implements TuskListener {
        final List<ConnectionClosed> events = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public void connectionClosed(ConnectionClosed event) {
            events.add(event);
            threads.add(Thread.currentThread());
        }

        /** Waits (bounded) for the first event: the async driver tells it on its event loop. */
        void awaitOne() throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
    }

    private static ConnectOptions<Row> through(FaultProxy proxy, TestDatabase db, TuskListener l) {
        return ConnectOptions.builder().conninfo("host=127.0.0.1 port=" + proxy.port() + " dbname=" + db.dbname()
                + " user=" + db.superuser() + " sslmode=disable").listener(l).build();
    }

    private static void assertOneBreak(Closes c) {
        assertThat(c.events).as("told once, broken, with its cause").singleElement().satisfies(e -> {
            assertThat(e.broken()).isTrue();
            assertThat(e.cause()).isNotNull();
            assertThat(e.facts()).isNotNull();
        });
    }

    @Test
    void aBlockingConnectionCutByTheNetworkIsReportedClosedWhenTheBreakIsFoundAndOnlyOnce(TestDatabase db) throws Exception {
        Closes c = new Closes();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            Connection<Row> conn = Connection.connect(through(proxy, db, c));
            conn.execute("SELECT 1");
            proxy.failNow(FaultProxy.Action.RESET);
            assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class);
            assertThat(conn.isBroken()).isTrue();
            assertOneBreak(c);
            assertThat(c.threads).as("told on the thread whose call found the break").containsExactly(Thread.currentThread());
            conn.close();
            assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class);
            assertOneBreak(c);
        }
    }

    @Test
    void anAsyncConnectionCutByTheNetworkIsReportedClosedOnce(TestDatabase db) throws Exception {
        Closes c = new Closes();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            AsyncConnection<Row> conn = AsyncConnection.connect(through(proxy, db, c)).join();
            conn.execute("SELECT 1").join();
            proxy.failNow(FaultProxy.Action.RESET);
            c.awaitOne(); // the event loop sees the reset without any call
            assertOneBreak(c);
            assertThatThrownBy(() -> conn.execute("SELECT 1").join()).isInstanceOf(CompletionException.class);
            assertThat(conn.isBroken()).isTrue();
            conn.close();
            assertOneBreak(c);
        }
    }

    @Test
    void aBlockingConnectionToAFrozenBackendIsReportedClosedWhenTheSocketTimeoutBreaksIt(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        Closes c = new Closes();
        Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).listener(c)
                .socketTimeout(Duration.ofMillis(300)).build());
        long pid = conn.info().backendPid();
        CopyAbandonTest.signal("STOP", pid);
        try {
            assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class);
            assertThat(conn.isBroken()).isTrue();
            assertOneBreak(c);
        } finally {
            CopyAbandonTest.signal("CONT", pid);
        }
        conn.close();
        assertOneBreak(c);
    }

    @Test
    void anAsyncConnectionToAFrozenBackendIsReportedClosedWhenTheSocketTimeoutBreaksIt(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        Closes c = new Closes();
        AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .listener(c).socketTimeout(Duration.ofMillis(300)).build()).join();
        long pid = conn.info().backendPid();
        CopyAbandonTest.signal("STOP", pid);
        try {
            assertThatThrownBy(() -> conn.execute("SELECT 1").join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(OperationalException.class);
            c.awaitOne();
            assertThat(conn.isBroken()).isTrue();
            assertOneBreak(c);
        } finally {
            CopyAbandonTest.signal("CONT", pid);
        }
        conn.close();
        assertOneBreak(c);
    }

    @Test
    void aConnectionClosedByItsUserIsReportedOnceNotBroken(TestDatabase db) {
        Closes c = new Closes();
        Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).listener(c).build());
        conn.execute("SELECT 1");
        conn.close();
        conn.close();
        assertThat(c.events).singleElement().satisfies(e -> {
            assertThat(e.broken()).isFalse();
            assertThat(e.cause()).isNull();
        });
    }
    /** Records the transaction steps and block ends. */
    static final class Outcomes implements TuskListener {
        final List<dev.tusk.observe.TransactionStep> steps = new CopyOnWriteArrayList<>();
        final List<dev.tusk.observe.TransactionEnd> blocks = new CopyOnWriteArrayList<>();

        @Override
        public void transactionStep(dev.tusk.observe.TransactionStep step) {
            steps.add(step);
        }

        @Override
        public void transactionEnded(dev.tusk.observe.TransactionEnd end, Object context) {
            blocks.add(end);
        }
    }

    @Test
    void aCommitWhoseReplyIsLostIsReportedWithAnUnknownOutcomeOnBothDrivers(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS lost_commit (id int)");
        Outcomes blocking = new Outcomes();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Connection<Row> conn = Connection.connect(through(proxy, db, blocking))) {
            conn.execute("INSERT INTO lost_commit VALUES (1)");
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT's CommandComplete
            assertThatThrownBy(conn::commit).isInstanceOf(dev.tusk.errors.TransactionResolutionUnknown.class);
        }
        assertThat(blocking.steps).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(dev.tusk.observe.TransactionStep.Kind.COMMIT);
            assertThat(s.outcome()).isEqualTo(dev.tusk.observe.TransactionOutcome.UNKNOWN);
            assertThat(s.error()).isInstanceOf(dev.tusk.errors.TransactionResolutionUnknown.class);
        });
        Outcomes async = new Outcomes();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            AsyncConnection<Row> conn = AsyncConnection.connect(through(proxy, db, async)).join();
            try {
                conn.execute("INSERT INTO lost_commit VALUES (2)").join();
                proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE);
                assertThatThrownBy(() -> conn.commit().join())
                        .hasCauseInstanceOf(dev.tusk.errors.TransactionResolutionUnknown.class);
            } finally {
                conn.close();
            }
        }
        assertThat(async.steps).singleElement().satisfies(s ->
                assertThat(s.outcome()).isEqualTo(dev.tusk.observe.TransactionOutcome.UNKNOWN));
    }

    @Test
    void aTransactionBlockWhoseCommitReplyIsLostEndsUnknown(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS lost_block (id int)");
        Outcomes o = new Outcomes();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Connection<Row> conn = Connection.connect(through(proxy, db, o))) {
            assertThatThrownBy(() -> conn.transaction(tx -> {
                conn.execute("INSERT INTO lost_block VALUES (1)");
                proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // the block's COMMIT
                return null;
            })).isInstanceOf(dev.tusk.errors.TransactionResolutionUnknown.class);
        }
        assertThat(o.blocks).singleElement().satisfies(e ->
                assertThat(e.outcome()).isEqualTo(dev.tusk.observe.TransactionOutcome.UNKNOWN));
    }
}
