package dev.tusk.bench;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
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

import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;

/** (a) Point select by primary key, one connection, sequential; a {@link Spinner} keeps a vCPU awake. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PointSelectBench {
    @Param({"tusk", "tusk-async", "pgjdbc", "vertx"})
    public String client;

    private KvClient kv;
    private int next;
    private Spinner spinner;

    interface KvClient extends AutoCloseable {
        String get(int id) throws Exception;
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        spinner = new Spinner();
        kv = switch (client) {
            case "tusk" -> tusk();
            case "tusk-async" -> tuskAsync();
            case "pgjdbc" -> pgjdbc();
            case "vertx" -> vertx();
            default -> throw new IllegalArgumentException(client);
        };
        for (int i = 0; i < 20; i++) { // warm past every client's prepare threshold, checking the answers
            String v = kv.get(4242);
            if (!"value-4242".equals(v)) {
                throw new IllegalStateException(client + " returned " + v);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        kv.close();
        spinner.close();
    }

    @Benchmark
    public String pointSelect() throws Exception {
        int id = next = next % BenchServer.KV_ROWS + 1;
        return kv.get(id);
    }

    static KvClient tusk() {
        Connection<Row> c = Connection.connect(BenchServer.tuskConninfo());
        c.setAutocommit(true);
        return new KvClient() {
            @Override
            public String get(int id) {
                return c.execute("SELECT v FROM bench_kv WHERE id = %s", id).fetchone().getString(0);
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    private static KvClient tuskAsync() {
        AsyncConnection<Row> c = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(BenchServer.tuskConninfo()).autocommit(true).build()).join();
        return new KvClient() {
            @Override
            public String get(int id) {
                return c.execute("SELECT v FROM bench_kv WHERE id = %s", id).join().fetchone().getString(0);
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    static KvClient pgjdbc() throws Exception {
        java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(""));
        c.setAutoCommit(true);
        PreparedStatement ps = c.prepareStatement("SELECT v FROM bench_kv WHERE id = ?");
        return new KvClient() {
            @Override
            public String get(int id) throws Exception {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }

            @Override
            public void close() throws Exception {
                c.close();
            }
        };
    }

    private static KvClient vertx() {
        Vertx vertx = Vertx.vertx();
        PgConnection c = Vertx5.connect(vertx);
        var q = c.preparedQuery("SELECT v FROM bench_kv WHERE id = $1");
        return new KvClient() {
            @Override
            public String get(int id) {
                return Vertx5.await(q.execute(Tuple.of(id))).iterator().next().getString(0);
            }

            @Override
            public void close() {
                Vertx5.await(c.close());
                Vertx5.await(vertx.close());
            }
        };
    }
}
