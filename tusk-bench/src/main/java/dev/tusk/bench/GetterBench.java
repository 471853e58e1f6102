package dev.tusk.bench;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Typed getters over rows already fetched (100,000 × int4, int8, bool, float8): no network, no server, only
 * reading values, so {@code gc} among the runner's arguments shows what a getter allocates (nothing: no
 * boxed primitive). Text and binary results.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GetterBench {
    static final int ROWS = 100_000;

    @Param({"tusk", "tusk-binary"})
    public String client;

    private List<Row> rows;

    @Setup(Level.Trial)
    public void fetch() {
        try (Connection<Row> c = Connection.connect(ConnectOptions.builder().conninfo(BenchServer.tuskConninfo())
                .binary(client.equals("tusk-binary")).build())) {
            rows = c.execute("SELECT g, g::int8 * 1000, g %% 2 = 0, g / 7.0::float8 FROM generate_series(1, %s) g", ROWS).fetchall();
        }
    }

    /** One operation = 100,000 rows × 4 values. */
    @Benchmark
    public long readAll() {
        long sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sum += r.getInt(0) + r.getLong(1) + (r.getBoolean(2) ? 1 : 0) + (long) r.getDouble(3);
        }
        return sum;
    }
}
