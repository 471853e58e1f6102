package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Result#map} over a result received whole makes no object per row: each row's {@link TuskRow} is made once,
 * as the result is built on the event loop, and is also its RowSegment; the mapping call hands it over as it is.
 * (R2DBC would let a driver hand one Row object, rebound, to every call, as a Row is valid only inside the
 * callback; Tusk does not: a Row kept past its callback by mistake would then read the next row's values without a
 * word. One object per row, made once, keeps every Row true to its own row.) Measured with the JVM's per-thread
 * allocation counter on the mapping thread: the subscription's few objects, nothing per row.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResultMapAllocationTest {
    private static final int ROWS = 20_000;
    private static final Duration T = Duration.ofSeconds(30);

    /** Bytes the calling thread allocated mapping {@code result}'s rows with {@code f}, warmed up first. */
    private static long allocated(Result result, BiFunction<Row, RowMetadata, Integer> f) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int warm = 0; warm < 20; warm++) { // each later subscriber maps the same rows anew
            assertThat(Flux.from(result.map(f)).count().block(T)).isEqualTo(ROWS);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        long n = Flux.from(result.map(f)).count().block(T);
        long bytes = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(n).isEqualTo(ROWS);
        return bytes;
    }

    @Test
    void mappingTheRowsOfAResultAllocatesNothingPerRow(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Result result = Flux.from(c.createStatement("SELECT g % 100 FROM generate_series(1, $1) g").bind(0, ROWS)
                    .execute()).blockFirst(T);
            List<Row> seen = new ArrayList<>();
            Flux.from(result.map((row, md) -> seen.add(row) ? 0 : 1)).blockLast(T);
            assertThat(seen).hasSize(ROWS).doesNotHaveDuplicates(); // a Row per row, each true to its own row
            assertThat(seen.get(ROWS - 1).get(0, Integer.class)).isEqualTo(ROWS % 100);
            assertThat(seen.get(0).get(0, Integer.class)).as("the first Row, read after all").isEqualTo(1);
            long bare = allocated(result, (row, md) -> 1);
            // reading a value: Tusk's Row.get, whose bytes vary with what the JIT made of it (0 to 56 a row seen)
            long read = allocated(result, (row, md) -> row.get(0, Integer.class));
            System.err.printf("[alloc] Result.map bytes per row: bare %.2f, reading an int %.2f (%d rows)%n",
                    bare / (double) ROWS, read / (double) ROWS, ROWS);
            assertThat(bare).as("bytes for %d rows mapped to a constant", ROWS).isLessThan(ROWS / 4);
        } finally {
            R2dbc.close(c);
        }
    }
}
