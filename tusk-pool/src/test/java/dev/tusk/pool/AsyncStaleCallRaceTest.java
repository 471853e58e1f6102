package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.IsolationLevel;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.errors.InterfaceException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The async side of the stale-lease call race (session 38; the blocking side is {@link StaleTransactionCallRaceTest}):
 * a call on an {@link AsyncConnection} lease handle passes the lease check on the caller's thread, and its work is
 * handed to the event loop. If the owner gives the lease back in between, and the pool lends the connection to the
 * next borrower, the work must be refused when it runs (its future failing as the caller-thread check fails it),
 * never run on the next borrower's session.
 *
 * <p>Two kinds of rounds. Held: the stale call's own arguments hold its caller thread just after the lease check
 * (a parameter whose binding waits), while the test gives the lease back and the next borrower starts its transaction;
 * then the binding goes on and the statement is handed to the loop. Raced: a transaction call on another thread at
 * a moment swept around the give-back, as the blocking test does (the window is microseconds wide: these rounds guard
 * the rule rather than find its break reliably).
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AsyncStaleCallRaceTest {
    /** How long each raced variant runs; {@code -Dtusk.staleRace.millis=N} for longer runs. */
    private static final long RACE_MILLIS = Long.getLong("tusk.staleRace.millis", 1_500);

    private static AsyncConnectionPool<Row> pool(TestDatabase db) throws Exception {
        return LeaseAdversaryTest.asyncPool(db); // one connection, 10 s lease timeout
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return LeaseAdversaryTest.get(f);
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        return LeaseAdversaryTest.failureOf(f);
    }

    /** Holds the thread binding a parameter (after the call's lease check) until the test lets it go. */
    private static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        void hold() {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A one-element list whose elements are read only once the gate lets the binding go on. */
    private static List<Integer> heldList(Gate gate, int value) {
        return new AbstractList<>() {
            boolean held;

            @Override
            public Integer get(int index) {
                if (!held) {
                    held = true;
                    gate.hold();
                }
                return value;
            }

            @Override
            public int size() {
                return 1;
            }
        };
    }

    /** executemany's parameter sets, the first one handed over once the gate lets the binding go on. */
    private static Iterable<Object[]> heldSets(Gate gate, int value) {
        return () -> new Iterator<>() {
            boolean done;

            @Override
            public boolean hasNext() {
                if (!done) {
                    gate.hold();
                }
                return !done;
            }

            @Override
            public Object[] next() {
                done = true;
                return new Object[] {value};
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"execute", "executemany", "serverCursor"})
    void aStaleStatementHeldPastItsLeaseCheckNeverRunsOnTheNextBorrowersSession(String call, TestDatabase db) throws Exception {
        String table = "async_stale_held_" + call.toLowerCase();
        db.admin("CREATE TABLE " + table + " (round int, who text)");
        try (AsyncConnectionPool<Row> pool = pool(db)) {
            for (int round = 1; round <= 3; round++) {
                int r = round;
                Gate gate = new Gate();
                AsyncConnection<Row> a = get(pool.connection());
                Function<AsyncConnection<Row>, CompletableFuture<?>> stale = switch (call) {
                    case "execute" -> c -> c.execute("INSERT INTO " + table + " SELECT v, 'stale' FROM unnest(%s::int[]) v",
                            heldList(gate, r));
                    case "executemany" -> c -> c.cursor().executemany("INSERT INTO " + table + " VALUES (%s, 'stale')",
                            heldSets(gate, r), false);
                    case "serverCursor" -> c -> c.cursor("stale_cursor").execute("SELECT unnest(%s::int[])", heldList(gate, r));
                    default -> throw new IllegalArgumentException(call);
                };
                AtomicReference<CompletableFuture<?>> staleFuture = new AtomicReference<>();
                Thread other = new Thread(() -> {
                    try {
                        staleFuture.set(stale.apply(a));
                    } catch (Throwable t) {
                        staleFuture.set(CompletableFuture.failedFuture(t));
                    }
                }, "stale-" + call);
                other.start();
                assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the stale call reached its binding").isTrue();
                get(a.closeAsync()); // the owner gives the lease back while the other thread binds
                AsyncConnection<Row> b = get(pool.connection());
                try {
                    get(b.execute("INSERT INTO " + table + " VALUES (%s, 'b')", r)); // b's transaction is open
                    gate.release.countDown(); // the stale call goes on: its statement reaches the loop now
                    other.join(10_000);
                    Throwable t = failureOf(staleFuture.get());
                    assertThat(t).as("round %d: the stale %s's outcome", r, call).isInstanceOf(InterfaceException.class);
                    assertThat(t.getMessage()).contains("given back to its pool");
                    String cursors = get(b.execute("SELECT count(*) FROM pg_cursors WHERE name = 'stale_cursor'"))
                            .fetchone().getString(0);
                    assertThat(cursors).as("round %d: cursors the stale call declared in b's session", r).isEqualTo("0");
                    assertThat(b.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.INTRANS);
                    get(b.commit());
                } finally {
                    gate.release.countDown();
                    b.close();
                }
                assertThat(db.adminQuery("SELECT count(*) FROM " + table + " WHERE who = 'stale'").trim())
                        .as("round %d: rows the stale %s inserted that b committed", r, call).isEqualTo("0");
                assertThat(db.adminQuery("SELECT count(*) FROM " + table + " WHERE who = 'b' AND round = " + r).trim())
                        .isEqualTo("1");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"commit", "rollback", "transaction", "setAutocommit", "setIsolationLevel", "tpcBegin",
            "pipeline", "copy"})
    void aStaleCallRacingTheGiveBackNeverReachesTheNextBorrower(String call, TestDatabase db) throws Exception {
        String table = "async_stale_race_" + call.toLowerCase();
        db.admin("CREATE TABLE " + table + " (round int)");
        Function<AsyncConnection<Row>, CompletableFuture<?>> stale = switch (call) {
            case "commit" -> AsyncConnection::commit;
            case "rollback" -> AsyncConnection::rollback;
            case "transaction" -> c -> c.transaction(tx -> CompletableFuture.completedFuture(null));
            case "setAutocommit" -> c -> c.setAutocommit(true);
            case "setIsolationLevel" -> c -> c.setIsolationLevel(IsolationLevel.SERIALIZABLE);
            case "tpcBegin" -> c -> c.tpcBegin(c.xid(1, "stale-race", "x"));
            case "pipeline" -> c -> {
                c.pipeline(); // left open: the give-back replaces the connection, if it sees it in time
                return CompletableFuture.completedFuture(null);
            };
            case "copy" -> c -> c.cursor().copy("COPY " + table + " FROM STDIN");
            default -> throw new IllegalArgumentException(call);
        };
        boolean borrowerCommits = call.equals("rollback");
        try (AsyncConnectionPool<Row> pool = pool(db)) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RACE_MILLIS);
            List<String> wrong = new ArrayList<>();
            int rounds = 0;
            int refused = 0;
            int ranInTime = 0;
            while (System.nanoTime() < deadline && wrong.isEmpty()) {
                int round = ++rounds;
                AsyncConnection<Row> a = get(pool.connection());
                CountDownLatch go = new CountDownLatch(1);
                AtomicReference<CompletableFuture<?>> staleFuture = new AtomicReference<>();
                Thread other = new Thread(() -> {
                    try {
                        go.await();
                        staleFuture.set(stale.apply(a));
                    } catch (Throwable t) {
                        staleFuture.set(CompletableFuture.failedFuture(t));
                    }
                }, "stale-" + call + "-" + round);
                other.start();
                get(a.execute("SELECT 1"));
                go.countDown();
                long closeAt = System.nanoTime() + (round % 40) * 5_000L; // swept across the other thread's call
                while (System.nanoTime() < closeAt) {
                    Thread.onSpinWait();
                }
                a.close();
                AsyncConnection<Row> b = get(pool.connection());
                try {
                    boolean autocommit = b.autocommit();
                    IsolationLevel isolation = b.isolationLevel();
                    get(b.execute("INSERT INTO " + table + " VALUES (%s)", round));
                    other.join(10_000);
                    CompletableFuture<?> sf = staleFuture.get();
                    Throwable t;
                    try {
                        t = sf == null ? new AssertionError("the stale call did not return") : failureOf(sf);
                    } catch (java.util.concurrent.TimeoutException e) {
                        wrong.add("round " + round + ": the stale " + call + "'s future did not complete within 10 s");
                        t = e;
                    }
                    if (t instanceof InterfaceException) {
                        refused++;
                    } else if (t == null) {
                        ranInTime++;
                    }
                    get(b.execute("SELECT 1"));
                    if (b.autocommit() != autocommit || b.isolationLevel() != isolation) {
                        wrong.add("round " + round + ": b's autocommit/isolation changed under it to " + b.autocommit()
                                + "/" + b.isolationLevel());
                    }
                    if (b.info().pipelineStatus() != PipelineStatus.OFF) {
                        wrong.add("round " + round + ": b is in pipeline mode it never entered");
                    }
                    get(borrowerCommits ? b.commit() : b.rollback());
                } catch (Exception e) {
                    wrong.add("round " + round + ": b's own call failed: " + e);
                } finally {
                    b.close();
                }
                String rows = db.adminQuery("SELECT count(*) FROM " + table + " WHERE round = " + round).trim();
                if (!rows.equals(borrowerCommits ? "1" : "0")) {
                    wrong.add("round " + round + ": b " + (borrowerCommits ? "committed" : "rolled back")
                            + " its insert and the table holds " + rows + " of its rows: the stale " + call + " reached it");
                }
            }
            System.out.printf("AsyncStaleCallRaceTest %s: %d rounds, %d stale calls refused, %d ran within their lease%n",
                    call, rounds, refused, ranInTime);
            assertThat(wrong).as("in %d rounds", rounds).isEmpty();
        }
    }
}
