package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a lease that never calls {@code adapters()} allocates (the thread's allocated bytes, an exact counter): a lease
 * whose adapters() makes a map of its own must make none for a lease that only makes a cursor, nor mark it used (the
 * give-back's session reset then costs a round trip and kilobytes). Measured: 304 B per lease and cursor(); the code
 * before session 45's lease maps, where cursor() read adapters() and so marked the lease used: 4,300 to 5,700 B
 * (this test failed); a lease that calls adapters() too: 6,219 B.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeaseAllocationTest {

    @Test
    void aLeaseThatOnlyMakesACursorAllocatesNoAdaptersAndNoReset(TestDatabase db) throws Exception {
        // by reflection: this test module does not read jdk.management
        Object threads = ManagementFactory.getThreadMXBean();
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        long tid = Thread.currentThread().getId();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(20)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            int n = 3000;
            double perLease = 0;
            for (int round = 0; round < 3; round++) { // the last round counts, the first ones warm up
                long before = (Long) allocated.invoke(threads, tid);
                for (int i = 0; i < n; i++) {
                    try (Connection<Row> c = pool.connection()) {
                        c.cursor();
                    }
                }
                perLease = ((Long) allocated.invoke(threads, tid) - before) / (double) n;
            }
            assertThat(perLease).as("bytes per lease that made a cursor and ran nothing").isLessThan(600);
        }
    }
}
