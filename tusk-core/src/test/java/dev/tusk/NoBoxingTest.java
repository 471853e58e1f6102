package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Typed getters read the wire bytes: reading integers and booleans allocates nothing in either format, nor
 * do doubles in binary (a text double is parsed by the JDK from a temporary String: use binary results).
 */
@TuskTest
class NoBoxingTest {
    private static final int ROWS = 100_000;

    @Test
    void typedGettersAllocateNoBoxes(TestDatabase db) {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        var hotspot = (com.sun.management.ThreadMXBean) threads;
        long thread = Thread.currentThread().getId();
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            for (boolean binary : List.of(false, true)) {
                List<Row> rows = conn.execute("SELECT g, g::int8 * 1000000000, g / 3.0::float8, g %% 2 = 0, (g * 1.25)::numeric(12,2)"
                        + " FROM generate_series(1, " + ROWS + ") g", List.of(), ExecuteOptions.builder().binary(binary).build()).fetchall();
                long sum = read(rows, binary); // warm up the getters
                long before = hotspot.getThreadAllocatedBytes(thread);
                sum += read(rows, binary);
                long allocated = hotspot.getThreadAllocatedBytes(thread) - before;
                assertThat(sum).isNotZero();
                // one boxed value would be at least 16 bytes a value
                int values = ROWS * (binary ? 4 : 3);
                assertThat(allocated / (double) values).as((binary ? "binary" : "text") + ": bytes per value").isLessThan(1.0);
            }
        }
    }

    private static long read(List<Row> rows, boolean withDoubles) {
        long sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sum += r.getInt(0) + r.getLong(1) + (r.getBoolean(3) ? 1 : 0) + (withDoubles ? (long) r.getDouble(2) : 0);
        }
        return sum;
    }
}
