package dev.tusk.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.concurrent.TimeUnit;

/** JDBC fetch of 100,000 six-column rows, every value read with its typed getter: tusk-jdbc vs pgjdbc. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcFetchBench {
    @Param({"tusk-jdbc", "pgjdbc"})
    public String client;

    private Connection c;
    private PreparedStatement ps;

    @Setup(Level.Trial)
    public void open() throws Exception {
        c = JdbcClients.connect(client, "");
        ps = c.prepareStatement("SELECT a, b, c, d, e, f FROM bench_wide");
        for (int i = 0; i < 6; i++) { // past both drivers' prepare thresholds
            Checks.expect(client + " rows", (long) BenchServer.WIDE_ROWS, (long) fetch());
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        c.close();
    }

    private int fetch() throws Exception {
        try (ResultSet rs = ps.executeQuery()) {
            return read(rs);
        }
    }

    /** Reads every row of {@code rs}, every value with its typed getter: the rows read. */
    static int read(ResultSet rs) throws Exception {
        int n = 0;
        long sink = 0;
        while (rs.next()) {
            sink += rs.getInt(1);
            String b = rs.getString(2);
            sink += rs.getInt(3);
            Timestamp d = rs.getTimestamp(4);
            BigDecimal e = rs.getBigDecimal(5);
            sink += rs.getBoolean(6) ? 1 : 0;
            sink += b.length() + (d == null ? 0 : 1) + (e == null ? 0 : 1);
            n++;
        }
        return sink == Long.MIN_VALUE ? -1 : n;
    }

    /** One operation = 100,000 rows. */
    @Benchmark
    public int fetch100k() throws Exception {
        return fetch();
    }
}
