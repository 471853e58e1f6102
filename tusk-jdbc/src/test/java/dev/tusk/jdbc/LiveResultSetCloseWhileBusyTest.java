package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live result set's close() never waits for another thread's statement on the same connection (session 43): it
 * returns at once, the other statement's result is its own, and the connection serves the next statement. The
 * test bounds its own waits: a close stuck on the connection's lock cannot be interrupted by JUnit's timeout.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveResultSetCloseWhileBusyTest {
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "result-set-close-test");
        t.setDaemon(true);
        return t;
    });

    @Test
    void closingALiveResultSetWhileAnotherStatementRunsReturnsAtOnce(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement big = c.createStatement();
             Statement sleeper = c.createStatement()) {
            ResultSet rs = big.executeQuery("SELECT g, repeat('y', 50) FROM generate_series(1, 100000) g");
            assertThat(rs.next()).isTrue();
            Future<Integer> other = threads.submit(() -> {
                try (ResultSet r = sleeper.executeQuery("SELECT 7 FROM pg_sleep(3)")) {
                    assertThat(r.next()).isTrue();
                    return r.getInt(1);
                }
            });
            Thread.sleep(1000); // the other statement has read the rest into memory and waits for its sleep
            assertThat(other.isDone()).isFalse();
            long t0 = System.nanoTime();
            Future<?> closing = threads.submit(() -> {
                rs.close();
                return null;
            });
            closing.get(3, TimeUnit.SECONDS); // without the fix: waits for the whole pg_sleep (a TimeoutException)
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ResultSet.close()").isLessThan(1000);
            assertThat(rs.isClosed()).isTrue();
            assertThat(other.get(20, TimeUnit.SECONDS)).isEqualTo(7);
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT 42")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).isEqualTo(42);
            }
        }
    }
}
