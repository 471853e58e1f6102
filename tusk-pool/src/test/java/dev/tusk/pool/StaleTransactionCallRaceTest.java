package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transaction call ({@code commit}, {@code rollback}, {@code transaction}, {@code setAutocommit}) made on a lease
 * handle from one thread while its owner gives it back on another (trust issue, session 37). The handle's lease is
 * checked when the call starts ({@code use()}); the call then waits for the connection's lock, which the owner's
 * last statement and the pool's repair hold. When it gets the lock the pool may have lent the connection to the
 * next borrower: the call must then be refused, never commit, roll back or change the next borrower's transaction.
 *
 * <p>Each round: the owner runs a short statement (holding the lock) while the other thread starts the call, the
 * owner gives the lease back, and the next borrower (the same connection: the pool holds one) inserts a row of its
 * own and then ends its transaction the opposite way. What is in the table at the end is what the next borrower
 * decided, or the stale call reached it.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StaleTransactionCallRaceTest {
    /** How long each variant races; {@code -Dtusk.staleRace.millis=N} for longer runs. */
    private static final long RACE_MILLIS = Long.getLong("tusk.staleRace.millis", 4_000);

    @ParameterizedTest
    @ValueSource(strings = {"commit", "rollback", "transaction", "setAutocommit"})
    void aStaleTransactionCallNeverReachesTheNextBorrowersTransaction(String call, TestDatabase db) throws Exception {
        String table = "stale_race_" + call.toLowerCase();
        db.admin("CREATE TABLE " + table + " (round int)");
        Consumer<Connection<Row>> stale = switch (call) {
            case "commit" -> Connection::commit;
            case "rollback" -> Connection::rollback;
            case "transaction" -> c -> c.transaction(tx -> null);
            case "setAutocommit" -> c -> c.setAutocommit(true);
            default -> throw new IllegalArgumentException(call);
        };
        // the next borrower commits for the stale rollback, and rolls back for the others
        boolean borrowerCommits = call.equals("rollback");
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(10)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RACE_MILLIS);
            List<String> wrong = new ArrayList<>();
            int rounds = 0;
            int refused = 0;
            while (System.nanoTime() < deadline && wrong.isEmpty()) {
                int round = ++rounds;
                Connection<Row> a = pool.connection();
                CountDownLatch go = new CountDownLatch(1);
                Throwable[] staleOutcome = new Throwable[1];
                Thread other = new Thread(() -> {
                    try {
                        go.await();
                        Thread.sleep(0, 200_000 + (round % 10) * 200_000); // inside the owner's statement, mostly
                        stale.accept(a);
                    } catch (Throwable t) {
                        staleOutcome[0] = t;
                    }
                }, "stale-" + call + "-" + round);
                other.start();
                go.countDown();
                a.execute("SELECT pg_sleep(0.003)"); // holds the lock; the other thread's call waits for it
                a.close();
                try (Connection<Row> b = pool.connection()) {
                    boolean autocommit = b.autocommit();
                    b.execute("INSERT INTO " + table + " VALUES (%s)", round);
                    for (int i = 0; i < 3; i++) {
                        b.execute("SELECT pg_sleep(0.001)"); // gaps where a waiting stale call gets the lock
                    }
                    if (b.autocommit() != autocommit) {
                        wrong.add("round " + round + ": the next borrower's autocommit changed from " + autocommit
                                + " to " + b.autocommit() + " under it");
                    }
                    if (borrowerCommits) {
                        b.commit();
                    } else {
                        b.rollback();
                    }
                } catch (RuntimeException e) {
                    wrong.add("round " + round + ": the next borrower's own call failed: " + e);
                }
                other.join(10_000);
                if (staleOutcome[0] instanceof dev.tusk.errors.InterfaceException) {
                    refused++;
                }
                String rows = db.adminQuery("SELECT count(*) FROM " + table + " WHERE round = " + round).trim();
                String expected = borrowerCommits ? "1" : "0";
                if (!rows.equals(expected)) {
                    wrong.add("round " + round + ": the next borrower " + (borrowerCommits ? "committed" : "rolled back")
                            + " its insert, and the table holds " + rows + " of its rows: the stale " + call + "() reached it"
                            + " (the stale call ended with " + staleOutcome[0] + ")");
                }
            }
            System.out.printf("StaleTransactionCallRaceTest %s: %d rounds, %d stale calls refused%n", call, rounds, refused);
            assertThat(wrong).as("in %d rounds", rounds).isEmpty();
        }
    }
}
