package dev.tusk.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import io.vertx.core.Future;
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

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * (d) 10,000 point selects with 32 in flight over 4 connections: a thread pool over a pool of 4 for the
 * blocking clients (Tusk with a connection per 8 threads, pgjdbc with HikariCP), pipelining for vertx and
 * AsyncConnection. The "pipelining-256" workload runs it with 256 in flight, beside the blocking driver
 * with one thread per connection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConcurrentBench {
    static final int QUERIES = 10_000;
    static final int CONNECTIONS = 4;
    static final String SQL_JDBC = "SELECT v FROM bench_kv WHERE id = ?";

    @Param({"tusk", "tusk-async", "pgjdbc", "vertx"})
    public String client;

    /** Statements in flight: threads for the blocking clients, the pipelining window for the async ones. */
    @Param({"32"})
    public int inFlight;

    private Runner runner;

    interface Runner extends AutoCloseable {
        /** Runs QUERIES selects; returns the sum of the value lengths. */
        long run() throws Exception;
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        runner = switch (client) {
            case "tusk" -> tusk(inFlight);
            case "tusk-thread-per-conn" -> tuskThreadPerConnection();
            case "tusk-async" -> tuskAsync(inFlight);
            case "pgjdbc" -> pgjdbc(inFlight);
            case "vertx" -> vertx(inFlight);
            default -> throw new IllegalArgumentException(client);
        };
        Checks.expect(client + " concurrent", expected(), runner.run());
    }

    static long expected() {
        long sum = 0;
        for (int i = 0; i < QUERIES; i++) {
            sum += ("value-" + (i % BenchServer.KV_ROWS + 1)).length();
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        runner.close();
    }

    /** One operation = 10,000 queries. */
    @Benchmark
    public long tenThousandSelects() throws Exception {
        return runner.run();
    }

    private static Runner threaded(int threads, QueryFn fn, AutoCloseable resources) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        return new Runner() {
            @Override
            public long run() throws Exception {
                AtomicLong sum = new AtomicLong();
                List<java.util.concurrent.Future<?>> fs = new ArrayList<>(threads);
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    fs.add(pool.submit(() -> {
                        long local = 0;
                        for (int i = thread; i < QUERIES; i += threads) {
                            local += fn.query(thread, i % BenchServer.KV_ROWS + 1).length();
                        }
                        sum.addAndGet(local);
                        return null;
                    }));
                }
                for (var f : fs) {
                    f.get(); // rethrows a failed task's exception
                }
                return sum.get();
            }

            @Override
            public void close() throws Exception {
                pool.shutdownNow();
                resources.close();
            }
        };
    }

    interface QueryFn {
        String query(int thread, int id) throws Exception;
    }

    private static List<Connection<Row>> tuskConnections() {
        List<Connection<Row>> conns = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Connection<Row> c = Connection.connect(BenchServer.tuskConninfo());
            c.setAutocommit(true);
            conns.add(c);
        }
        return conns;
    }

    /** {@code inFlight} threads sharing 4 connections (each waits for its connection's lock). */
    private static Runner tusk(int inFlight) {
        List<Connection<Row>> conns = tuskConnections();
        return threaded(inFlight, (thread, id) -> conns.get(thread % CONNECTIONS)
                .execute("SELECT v FROM bench_kv WHERE id = %s", id).fetchone().getString(0),
                () -> conns.forEach(Connection::close));
    }

    /** The blocking driver the classic way: one thread per connection, one statement in flight on each. */
    private static Runner tuskThreadPerConnection() {
        List<Connection<Row>> conns = tuskConnections();
        return threaded(CONNECTIONS, (thread, id) -> conns.get(thread)
                .execute("SELECT v FROM bench_kv WHERE id = %s", id).fetchone().getString(0),
                () -> conns.forEach(Connection::close));
    }

    /** Automatic pipelining: {@code inFlight} statements in flight over 4 connections, as vertx below. */
    private static Runner tuskAsync(int inFlight) {
        List<AsyncConnection<Row>> conns = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            conns.add(AsyncConnection.connect(
                    ConnectOptions.builder().conninfo(BenchServer.tuskConninfo()).autocommit(true).build()).join());
        }
        return new Runner() {
            @Override
            public long run() throws Exception {
                Semaphore window = new Semaphore(inFlight);
                AtomicLong sum = new AtomicLong();
                List<CompletableFuture<?>> all = new ArrayList<>(QUERIES);
                for (int i = 0; i < QUERIES; i++) {
                    window.acquire();
                    AsyncConnection<Row> c = conns.get(i % CONNECTIONS);
                    all.add(c.execute("SELECT v FROM bench_kv WHERE id = %s", i % BenchServer.KV_ROWS + 1)
                            .whenComplete((cur, err) -> {
                                if (err == null) {
                                    sum.addAndGet(cur.fetchone().getString(0).length());
                                }
                                window.release();
                            }));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
                return sum.get();
            }

            @Override
            public void close() {
                conns.forEach(AsyncConnection::close);
            }
        };
    }

    private static Runner pgjdbc(int inFlight) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(BenchServer.jdbcUrl(""));
        cfg.setMaximumPoolSize(CONNECTIONS);
        cfg.setMinimumIdle(CONNECTIONS);
        HikariDataSource ds = new HikariDataSource(cfg);
        return threaded(inFlight, (thread, id) -> {
            try (java.sql.Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(SQL_JDBC)) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        }, ds);
    }

    private static Runner vertx(int inFlight) {
        Vertx vertx = Vertx.vertx();
        List<PgConnection> conns = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            conns.add(Vertx5.connect(vertx));
        }
        return new Runner() {
            @Override
            public long run() throws Exception {
                Semaphore window = new Semaphore(inFlight);
                AtomicLong sum = new AtomicLong();
                List<Future<?>> all = new ArrayList<>(QUERIES);
                for (int i = 0; i < QUERIES; i++) {
                    window.acquire();
                    PgConnection c = conns.get(i % CONNECTIONS);
                    Future<?> f = c.preparedQuery("SELECT v FROM bench_kv WHERE id = $1").execute(Tuple.of(i % BenchServer.KV_ROWS + 1))
                            .onComplete(ar -> {
                                if (ar.succeeded()) {
                                    sum.addAndGet(ar.result().iterator().next().getString(0).length());
                                }
                                window.release();
                            });
                    all.add(f);
                }
                for (Future<?> f : all) {
                    Vertx5.await(f);
                }
                return sum.get();
            }

            @Override
            public void close() {
                conns.forEach(c -> Vertx5.await(c.close()));
                Vertx5.await(vertx.close());
            }
        };
    }
}
