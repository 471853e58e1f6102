package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statement.cancel() racing another statement on the same connection (session 44): the cancel stops its own
 * statement's work, a live result's rest included while another statement reads it into memory first, and never
 * the statement that runs next. Each case is raced many times with a small random offset between the two threads.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StatementCancelRaceTest {
    private static final int ROUNDS = 40;
    private static final int ROWS = 5000;

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "statement-cancel-race-test");
        t.setDaemon(true);
        return t;
    });

    /**
     * A live result set is open; another thread runs a statement, which first reads that result's rest into memory,
     * while this thread cancels the live result's statement. The other statement is never cancelled; the live
     * result has all its rows, or fails with 57014 (the cancel stopped it while its rest was read).
     */
    @Test
    void cancellingALiveResultWhileAnotherStatementReadsItsRestNeverStopsTheOtherStatement(TestDatabase db)
            throws Exception {
        List<String> wrong = new ArrayList<>();
        int cancelledLive = 0;
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement live = c.createStatement();
             Statement other = c.createStatement()) {
            for (int round = 0; round < ROUNDS; round++) {
                ResultSet rs = live.executeQuery("SELECT g FROM generate_series(1, " + ROWS + ") g");
                assertThat(rs.next()).isTrue();
                CountDownLatch go = new CountDownLatch(1);
                Future<String> next = threads.submit(() -> {
                    go.await();
                    try (ResultSet r = other.executeQuery("SELECT 17 FROM pg_sleep(0.1)")) {
                        assertThat(r.next()).isTrue();
                        return String.valueOf(r.getInt(1));
                    } catch (SQLException e) {
                        return e.getSQLState() + " " + e.getMessage();
                    }
                });
                int delay = ThreadLocalRandom.current().nextInt(1500); // microseconds before the cancel
                go.countDown();
                spin(delay);
                live.cancel();
                String answer = next.get(30, TimeUnit.SECONDS);
                if (!answer.equals("17")) {
                    wrong.add("round " + round + " (cancel after " + delay + " us): " + answer);
                }
                int n = 1;
                try {
                    while (rs.next()) {
                        n++;
                    }
                    assertThat(n).as("the live result's rows, all kept").isEqualTo(ROWS);
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("57014");
                    cancelledLive++;
                }
                rs.close();
                assertThat(one(c, "SELECT 42")).isEqualTo(42);
            }
        }
        assertThat(wrong).as("the other statement's answers that are not its own (live result cancelled in %d rounds)",
                cancelledLive).isEmpty();
    }

    /**
     * Two threads share a connection: one runs a short statement and the other a longer one queued behind it, while
     * a third cancels the short one around its end. The longer one is never cancelled.
     */
    @Test
    void cancellingAStatementAsItEndsNeverStopsTheStatementQueuedBehindIt(TestDatabase db) throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement shortOne = c.createStatement();
             Statement queued = c.createStatement()) {
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch started = new CountDownLatch(1);
                Future<String> first = threads.submit(() -> {
                    started.countDown();
                    try (ResultSet r = shortOne.executeQuery("SELECT 5 FROM pg_sleep(0.02)")) {
                        return r.next() ? String.valueOf(r.getInt(1)) : "no row";
                    } catch (SQLException e) {
                        return e.getSQLState();
                    }
                });
                started.await();
                spin(2000); // the short statement holds the connection
                Future<String> second = threads.submit(() -> {
                    try (ResultSet r = queued.executeQuery("SELECT 17 FROM pg_sleep(0.1)")) {
                        return r.next() ? String.valueOf(r.getInt(1)) : "no row";
                    } catch (SQLException e) {
                        return e.getSQLState() + " " + e.getMessage();
                    }
                });
                int delay = 15000 + ThreadLocalRandom.current().nextInt(10000);
                spin(delay);
                shortOne.cancel();
                assertThat(first.get(30, TimeUnit.SECONDS)).isIn("5", "57014");
                String answer = second.get(30, TimeUnit.SECONDS);
                if (!answer.equals("17")) {
                    wrong.add("round " + round + " (cancel after " + delay + " us): " + answer);
                }
            }
        }
        assertThat(wrong).as("the queued statement's answers that are not its own").isEmpty();
    }

    private static void spin(long micros) {
        long end = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static int one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
            assertThat(r.next()).isTrue();
            return r.getInt(1);
        }
    }
}
