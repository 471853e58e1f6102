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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;

/** JDBC point select by primary key through a PreparedStatement: tusk-jdbc vs pgjdbc, the same code. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcPointSelectBench {
    @Param({"tusk-jdbc", "pgjdbc"})
    public String client;

    private Connection c;
    private PreparedStatement ps;
    private int next;
    private Spinner spinner;

    @Setup(Level.Trial)
    public void open() throws Exception {
        spinner = new Spinner();
        c = JdbcClients.connect(client, "");
        ps = c.prepareStatement("SELECT v FROM bench_kv WHERE id = ?");
        for (int i = 0; i < 20; i++) {
            String v = get(4242);
            if (!"value-4242".equals(v)) {
                throw new IllegalStateException(client + " returned " + v);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        c.close();
        spinner.close();
    }

    private String get(int id) throws Exception {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Benchmark
    public String pointSelect() throws Exception {
        int id = next = next % BenchServer.KV_ROWS + 1;
        return get(id);
    }
}
