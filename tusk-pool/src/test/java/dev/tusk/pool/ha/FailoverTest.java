package dev.tusk.pool.ha;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.errors.TuskException;
import dev.tusk.pool.AsyncConnectionPool;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.testing.ReplicationCluster;
import dev.tusk.testing.ReplicationCluster.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover under a write load: the primary of a synchronous ({@code remote_apply}) pair is killed (SIGKILL of every
 * process) while a pool writes through {@code host=primary,standby target_session_attrs=read-write}; the standby is
 * promoted and the same pool, never restarted, writes to it. Every commit the driver reported as done is on the new
 * primary; every row there was reported committed or of unknown outcome ({@link TransactionResolutionUnknown}),
 * never as failed; no session is left behind.
 */
@Timeout(300)
class FailoverTest {

    private static final int WORKERS = 4;
    private static final String APP = "tusk-failover";

    /** What the driver said about one transaction. */
    enum Outcome {
        /** commit() returned. */
        COMMITTED,
        /** commit() raised TransactionResolutionUnknown. */
        UNKNOWN,
        /** The INSERT failed: COMMIT was never sent. */
        NOT_COMMITTED,
        /** commit() raised something else. */
        COMMIT_FAILED,
        /** No connection could be leased. */
        NO_LEASE
    }

    /** Every transaction's outcome by id, and when the first commit after a given instant happened. */
    static final class Ledger {
        final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
        final Map<Long, Throwable> errors = new ConcurrentHashMap<>();
        final AtomicLong committedCount = new AtomicLong();
        final AtomicLong firstCommitAfterPromotion = new AtomicLong();
        volatile long promotedAt = Long.MAX_VALUE;

        void record(long id, Outcome outcome, Throwable error) {
            if (outcome == Outcome.NO_LEASE) {
                return;
            }
            outcomes.put(id, outcome);
            if (error != null) {
                errors.put(id, error);
            }
            if (outcome == Outcome.COMMITTED) {
                committedCount.incrementAndGet();
                long now = System.nanoTime();
                if (now > promotedAt) {
                    firstCommitAfterPromotion.compareAndSet(0, now);
                }
            }
        }

        Set<Long> with(Outcome outcome) {
            Set<Long> ids = new HashSet<>();
            outcomes.forEach((id, o) -> {
                if (o == outcome) {
                    ids.add(id);
                }
            });
            return ids;
        }
    }

    private static String conninfo(Node primary, Node standby) {
        return ReplicationCluster.conninfo("postgres", primary, standby)
                + " target_session_attrs=read-write sslmode=disable connect_timeout=2 application_name=" + APP;
    }

    @Test
    void aBlockingPoolWritesToThePromotedStandbyAndNoCommitIsMisreported() {
        runFailover("ConnectionPool", (primary, standby) -> {
            ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(conninfo(primary, standby))
                    .minSize(WORKERS).maxSize(WORKERS).timeout(Duration.ofSeconds(2)).open(true).build();
            pool.waitReady(Duration.ofSeconds(30));
            return new PoolUnderTest(pool::close, id -> {
                Connection<Row> c;
                try {
                    c = pool.connection(Duration.ofSeconds(2));
                } catch (TuskException e) {
                    return new Result(Outcome.NO_LEASE, e);
                }
                try {
                    try {
                        c.execute("INSERT INTO ledger (id) VALUES (%s)", id);
                    } catch (TuskException e) {
                        return new Result(Outcome.NOT_COMMITTED, e);
                    }
                    try {
                        c.commit();
                        return new Result(Outcome.COMMITTED, null);
                    } catch (TransactionResolutionUnknown e) {
                        return new Result(Outcome.UNKNOWN, e);
                    } catch (TuskException e) {
                        return new Result(Outcome.COMMIT_FAILED, e);
                    }
                } finally {
                    c.close();
                }
            });
        });
    }

    @Test
    void anAsyncPoolWritesToThePromotedStandbyAndNoCommitIsMisreported() {
        runFailover("AsyncConnectionPool", (primary, standby) -> {
            AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(conninfo(primary, standby))
                    .minSize(WORKERS).maxSize(WORKERS).timeout(Duration.ofSeconds(2)).build();
            pool.open();
            return new PoolUnderTest(pool::close, id -> {
                AsyncConnection<Row> c;
                try {
                    c = join(pool.connection());
                } catch (TuskException e) {
                    return new Result(Outcome.NO_LEASE, e);
                }
                try {
                    try {
                        join(c.execute("INSERT INTO ledger (id) VALUES (%s)", id));
                    } catch (TuskException e) {
                        return new Result(Outcome.NOT_COMMITTED, e);
                    }
                    try {
                        join(c.commit());
                        return new Result(Outcome.COMMITTED, null);
                    } catch (TransactionResolutionUnknown e) {
                        return new Result(Outcome.UNKNOWN, e);
                    } catch (TuskException e) {
                        return new Result(Outcome.COMMIT_FAILED, e);
                    }
                } finally {
                    c.close();
                }
            });
        });
    }

    record Result(Outcome outcome, Throwable error) {
    }

    record PoolUnderTest(Runnable close, LongFunction<Result> transaction) {
    }

    interface PoolFactory {
        PoolUnderTest open(Node primary, Node standby);
    }

    private static void runFailover(String what, PoolFactory factory) {
        try (ReplicationCluster cluster = ReplicationCluster.builder().standbys(1).synchronous(true).start()) {
            Node primary = cluster.primary();
            Node standby = cluster.standby(0);
            primary.admin("CREATE TABLE ledger (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
            primary.awaitReplay(Duration.ofSeconds(30));

            Ledger ledger = new Ledger();
            AtomicLong ids = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
            PoolUnderTest pool = factory.open(primary, standby);
            boolean poolClosed = false;
            List<Thread> workers = new ArrayList<>();
            try {
                for (int w = 0; w < WORKERS; w++) {
                    Thread worker = new Thread(() -> {
                        while (!stop.get()) {
                            long id = ids.incrementAndGet();
                            Result r;
                            try {
                                r = pool.transaction().apply(id);
                            } catch (Throwable t) {
                                unexpected.add(id + ": " + t);
                                r = new Result(Outcome.NOT_COMMITTED, t);
                            }
                            ledger.record(id, r.outcome(), r.error());
                            if (r.outcome() == Outcome.NO_LEASE) {
                                sleep(5);
                            }
                        }
                    }, "writer-" + w);
                    worker.setDaemon(true);
                    worker.start();
                    workers.add(worker);
                }
                awaitUntil(() -> ledger.committedCount.get() >= 100, Duration.ofSeconds(60), "100 commits before the kill");

                long killAt = System.nanoTime();
                primary.kill();
                long killed = System.nanoTime();
                // no commit is possible between the kill and the promotion: the first one after this instant is
                // the first on the new primary
                ledger.promotedAt = killed;
                standby.promote();
                long promoted = System.nanoTime();
                long before = ledger.committedCount.get();
                awaitUntil(() -> ledger.firstCommitAfterPromotion.get() != 0, Duration.ofSeconds(60),
                        "a commit on the promoted standby");
                long recovered = ledger.firstCommitAfterPromotion.get();
                awaitUntil(() -> ledger.committedCount.get() >= before + 100, Duration.ofSeconds(60),
                        "100 commits on the promoted standby");
                stop.set(true);
                for (Thread t : workers) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
                }

                Set<Long> onNewPrimary = new HashSet<>();
                for (String id : standby.query("SELECT coalesce(string_agg(id::text, ','), '') FROM ledger").split(",")) {
                    if (!id.isEmpty()) {
                        onNewPrimary.add(Long.parseLong(id));
                    }
                }
                Set<Long> committed = ledger.with(Outcome.COMMITTED);
                Set<Long> unknown = ledger.with(Outcome.UNKNOWN);
                Set<Long> notCommitted = ledger.with(Outcome.NOT_COMMITTED);
                Set<Long> commitFailed = ledger.with(Outcome.COMMIT_FAILED);
                System.err.printf("[tusk-ha] %s failover: kill %d ms, promotion (pg_ctl promote until writable) %d ms,"
                                + " promotion start -> first committed write %d ms (%+d ms after the promotion completed);"
                                + " %d committed, %d unknown, %d failed before COMMIT, %d failed COMMIT,"
                                + " %d rows on the new primary%n",
                        what, ms(killed - killAt), ms(promoted - killed), ms(recovered - killed), ms(recovered - promoted),
                        committed.size(), unknown.size(), notCommitted.size(), commitFailed.size(), onNewPrimary.size());
                for (Long id : commitFailed) {
                    System.err.println("[tusk-ha]   COMMIT of " + id + " failed with " + ledger.errors.get(id));
                }

                assertThat(unexpected).as("errors that are no TuskException").isEmpty();
                assertThat(onNewPrimary).as("every commit reported done survived the failover").containsAll(committed);
                Set<Long> unexplained = new HashSet<>(onNewPrimary);
                unexplained.removeAll(committed);
                unexplained.removeAll(unknown);
                assertThat(unexplained).as("rows committed although the driver reported a failure (not unknown): "
                        + describe(unexplained, ledger)).isEmpty();
                assertThat(ms(recovered - killed)).as("the pool writes again soon after the promotion").isLessThan(30_000);

                assertThat(Long.parseLong(standby.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + APP + "'"))).as("no more sessions than the pool holds").isLessThanOrEqualTo(WORKERS);
                pool.close().run();
                poolClosed = true;
                awaitUntil(() -> "0".equals(standby.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + APP + "'")), Duration.ofSeconds(10), "no session of the closed pool left on the new primary");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                stop.set(true);
                if (!poolClosed) {
                    pool.close().run();
                }
            }
        }
    }

    private static String describe(Set<Long> ids, Ledger ledger) {
        StringBuilder out = new StringBuilder();
        for (Long id : ids) {
            out.append("\n  ").append(id).append(": ").append(ledger.outcomes.get(id)).append(' ').append(ledger.errors.get(id));
        }
        return out.toString();
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s");
            }
            sleep(10);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
