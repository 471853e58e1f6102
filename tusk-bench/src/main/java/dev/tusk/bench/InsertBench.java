package dev.tusk.bench;

import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Row;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
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
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * (c) Insert 10,000 rows in one batch: Tusk executemany and COPY; pgjdbc batch with and without
 * reWriteBatchedInserts, and its CopyManager; vertx executeBatch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InsertBench {
    static final int ROWS = 10_000;
    static final String INSERT_JDBC = "INSERT INTO bench_insert (a, b, c) VALUES (?, ?, ?)";

    @Param({"tusk", "tusk-copy", "pgjdbc", "pgjdbc-rewrite", "pgjdbc-copy", "vertx"})
    public String client;

    private Inserter inserter;
    private java.sql.Connection admin;

    interface Inserter extends AutoCloseable {
        void insert() throws Exception;
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        admin = DriverManager.getConnection(BenchServer.jdbcUrl(""));
        inserter = switch (client) {
            case "tusk" -> tusk(false);
            case "tusk-copy" -> tusk(true);
            case "pgjdbc" -> pgjdbc(false);
            case "pgjdbc-rewrite" -> pgjdbc(true);
            case "pgjdbc-copy" -> pgjdbcCopy();
            case "vertx" -> vertx();
            default -> throw new IllegalArgumentException(client);
        };
        truncate();
        inserter.insert();
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(a), sum(c) FROM bench_insert")) {
            rs.next();
            Checks.expect(client + " row count", ROWS, rs.getLong(1));
            Checks.expect(client + " sum(a)", (long) ROWS * (ROWS - 1) / 2, rs.getLong(2));
            Checks.expect(client + " sum(c)", (long) ROWS * 7, rs.getLong(3));
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
        inserter.close();
        admin.close();
    }

    /** One operation = 10,000 rows. */
    @Benchmark
    public void insert10k() throws Exception {
        inserter.insert();
    }

    private static Inserter tusk(boolean copy) {
        Connection<Row> c = Connection.connect(BenchServer.tuskConninfo());
        c.setAutocommit(true);
        return new Inserter() {
            @Override
            public void insert() {
                if (copy) {
                    try (Copy cp = c.cursor().copy("COPY bench_insert (a, b, c) FROM STDIN")) {
                        for (int i = 0; i < ROWS; i++) {
                            cp.writeRow(i, "row " + i, 7);
                        }
                        cp.finish();
                    }
                } else {
                    List<List<Object>> rows = new ArrayList<>(ROWS);
                    for (int i = 0; i < ROWS; i++) {
                        rows.add(List.of(i, "row " + i, 7));
                    }
                    c.cursor().executemany("INSERT INTO bench_insert (a, b, c) VALUES (%s, %s, %s)", rows);
                }
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    private static Inserter pgjdbc(boolean rewrite) throws Exception {
        java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(rewrite ? "&reWriteBatchedInserts=true" : ""));
        return new Inserter() {
            @Override
            public void insert() throws Exception {
                try (PreparedStatement ps = c.prepareStatement(INSERT_JDBC)) {
                    for (int i = 0; i < ROWS; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, "row " + i);
                        ps.setInt(3, 7);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }

            @Override
            public void close() throws Exception {
                c.close();
            }
        };
    }

    private static Inserter pgjdbcCopy() throws Exception {
        java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(""));
        return new Inserter() {
            @Override
            public void insert() throws Exception {
                StringBuilder sb = new StringBuilder(ROWS * 16);
                for (int i = 0; i < ROWS; i++) {
                    sb.append(i).append("\trow ").append(i).append("\t7\n");
                }
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench_insert (a, b, c) FROM STDIN",
                        new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
            }

            @Override
            public void close() throws Exception {
                c.close();
            }
        };
    }

    private static Inserter vertx() {
        Vertx vertx = Vertx.vertx();
        PgConnection c = Vertx5.connect(vertx);
        var q = c.preparedQuery("INSERT INTO bench_insert (a, b, c) VALUES ($1, $2, $3)");
        return new Inserter() {
            @Override
            public void insert() {
                List<Tuple> batch = new ArrayList<>(ROWS);
                for (int i = 0; i < ROWS; i++) {
                    batch.add(Tuple.of(i, "row " + i, 7));
                }
                Vertx5.await(q.executeBatch(batch));
            }

            @Override
            public void close() {
                Vertx5.await(c.close());
                Vertx5.await(vertx.close());
            }
        };
    }
}
