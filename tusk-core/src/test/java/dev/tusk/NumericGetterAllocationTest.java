package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A numeric the automatic result format received in binary is read by getLong, getInt and getDouble from its
 * bytes, as its text would read, without building that text: nothing is allocated per value (it was a String
 * and its bytes per value; a double of more than 15 significant digits or beyond 10^±22 still takes the general
 * path, which parses the text). getBigDecimal allocates its BigDecimal and, past 16 digits, its magnitude, no String.
 * Measured with the JVM's per-thread allocation counter over rows already fetched.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NumericGetterAllocationTest {
    private static final int ROWS = 20_000;

    private static long allocated(List<Row> rows, ToLongFunction<Row> read) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int warm = 0; warm < 3; warm++) { // the getters' classes loaded and their code compiled
            for (Row r : rows) {
                sum += read.applyAsLong(r);
            }
        }
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (Row r : rows) {
            sum += read.applyAsLong(r);
        }
        long bytes = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(sum).isNotEqualTo(42); // keeps the reads
        return bytes;
    }

    @Test
    void getLongGetIntAndGetDoubleOnABinaryNumericAllocateNothingPerValue(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0)
                .autocommit(true).build())) {
            String q = "SELECT (g * 1.25)::numeric(12,2), g::numeric * 1000003, (-g / 8.0)::numeric(30,20),"
                    + " ('123456789012345678901234.' || g)::numeric FROM generate_series(1, %s) g";
            conn.execute(q, ROWS); // prepared and described: binary from now on
            List<Row> rows = conn.execute(q, ROWS).fetchall();
            assertThat(rows.get(0).columns().get(0).wireFormatCode()).as("received in binary").isEqualTo(1);
            long getLong = allocated(rows, r -> r.getLong(0) + r.getLong(1) + r.getLong(2));
            long getInt = allocated(rows, r -> r.getInt(0) + r.getInt(2));
            long getDouble = allocated(rows, r -> (long) (r.getDouble(0) + r.getDouble(1) + r.getDouble(2)));
            long getBigDecimal = allocated(rows, r -> r.getBigDecimal(0).scale());
            long bigBigDecimal = allocated(rows, r -> r.getBigDecimal(3).scale());
            System.err.printf("[alloc] bytes per value: getLong %.1f, getInt %.1f, getDouble %.1f, getBigDecimal %.1f"
                            + " (30 digits: %.1f)%n", getLong / (3.0 * ROWS), getInt / (2.0 * ROWS),
                    getDouble / (3.0 * ROWS), getBigDecimal / (double) ROWS, bigBigDecimal / (double) ROWS);
            assertThat(getLong).as("getLong: bytes for %s values", 3 * ROWS).isLessThan(ROWS / 10);
            assertThat(getInt).as("getInt: bytes for %s values", 2 * ROWS).isLessThan(ROWS / 10);
            assertThat(getDouble).as("getDouble: bytes for %s values", 3 * ROWS).isLessThan(ROWS / 10);
        }
    }
}
