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
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * JDBC batch insert of 10,000 rows (addBatch/executeBatch): tusk-jdbc (one pipeline, multi-row INSERTs) vs
 * pgjdbc with {@code reWriteBatchedInserts=true} (its fastest batch mode) and without.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcInsertBench {
    @Param({"tusk-jdbc", "pgjdbc-rewrite", "pgjdbc"})
    public String client;

    private Connection c;
    private Connection admin;

    @Setup(Level.Trial)
    public void open() throws Exception {
        admin = JdbcClients.connect("pgjdbc", "");
        c = client.equals("pgjdbc-rewrite") ? JdbcClients.connect("pgjdbc", "&reWriteBatchedInserts=true")
                : JdbcClients.connect(client, "");
        truncate();
        insert();
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(a), sum(c) FROM bench_insert")) {
            rs.next();
            Checks.expect(client + " row count", (long) InsertBench.ROWS, rs.getLong(1));
            Checks.expect(client + " sum(a)", (long) InsertBench.ROWS * (InsertBench.ROWS - 1) / 2, rs.getLong(2));
            Checks.expect(client + " sum(c)", (long) InsertBench.ROWS * 7, rs.getLong(3));
        }
    }

    @Setup(Level.Invocation)
    public void truncate() throws Exception {
        try (Statement s = admin.createStatement()) {
            s.execute("TRUNCATE bench_insert");
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        c.close();
        admin.close();
    }

    private void insert() throws Exception {
        try (PreparedStatement ps = c.prepareStatement(InsertBench.INSERT_JDBC)) {
            for (int i = 0; i < InsertBench.ROWS; i++) {
                ps.setInt(1, i);
                ps.setString(2, "row " + i);
                ps.setInt(3, 7);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** One operation = 10,000 rows. */
    @Benchmark
    public void insert10k() throws Exception {
        insert();
    }
}
