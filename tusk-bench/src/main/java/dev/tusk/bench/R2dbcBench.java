package dev.tusk.bench;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The same R2DBC SPI code on tusk-r2dbc ({@code r2dbc:tusk:}) and on r2dbc-postgresql ({@code r2dbc:postgresql:}):
 * point selects (100 one after the other per operation), a 100,000-row fetch reading every value, a 10,000-row insert as one Statement with 10,000
 * bindings ({@code add()}), and 10,000 point selects with 32 in flight over 4 connections.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class R2dbcBench {
    private static final Duration T = Duration.ofSeconds(120);

    @Param({"tusk-r2dbc", "r2dbc-postgresql"})
    public String client;

    private final List<Connection> conns = new ArrayList<>();
    private java.sql.Connection admin;
    private int next;

    @Setup(Level.Trial)
    public void open() throws Exception {
        ConnectionFactory cf = ConnectionFactories.get(url(client));
        for (int i = 0; i < 4; i++) {
            conns.add(Mono.from(cf.create()).block(T));
        }
        admin = DriverManager.getConnection(BenchServer.jdbcUrl(""));
        for (int i = 0; i < 20; i++) {
            String v = get(conns.get(0), 4242);
            if (!"value-4242".equals(v)) {
                throw new IllegalStateException(client + " returned " + v);
            }
        }
        Checks.expect(client + " in flight", (long) ConcurrentBench.QUERIES, inFlight32());
        Checks.expect(client + " rows", (long) BenchServer.WIDE_ROWS, (long) fetch100k());
        truncate(admin);
        insert10k(conns.get(0));
        try (var s = admin.createStatement(); var rs = s.executeQuery("SELECT count(*), sum(a), sum(c) FROM bench_insert")) {
            rs.next();
            Checks.expect(client + " row count", (long) InsertBench.ROWS, rs.getLong(1));
            Checks.expect(client + " sum(a)", (long) InsertBench.ROWS * (InsertBench.ROWS - 1) / 2, rs.getLong(2));
            Checks.expect(client + " sum(c)", (long) InsertBench.ROWS * 7, rs.getLong(3));
        }
    }

    /** The R2DBC URL of the bench server for {@code client} (tusk-r2dbc or r2dbc-postgresql), TLS off. */
    static String url(String client) {
        String auth = BenchServer.USER + ":" + BenchServer.PASSWORD + "@127.0.0.1:" + BenchServer.portFromProperties() + "/" + BenchServer.DB;
        return switch (client) {
            case "tusk-r2dbc" -> "r2dbc:tusk://" + auth + "?sslmode=disable";
            case "r2dbc-postgresql" -> "r2dbc:postgresql://" + auth + "?sslMode=disable";
            default -> throw new IllegalArgumentException(client);
        };
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        for (Connection c : conns) {
            Mono.from(c.close()).block(T);
        }
        admin.close();
    }

    private static String get(Connection c, int id) {
        return Flux.from(c.createStatement("SELECT v FROM bench_kv WHERE id = $1").bind(0, id).execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, String.class))).blockLast(T);
    }

    /** Point selects one after the other in one operation: see {@link #pointSelect}. */
    static final int CHAIN = 100;

    /**
     * One operation = 100 point selects one after the other on one connection, as a reactive request handler
     * runs them: each statement its own {@code createStatement/bind/execute/map} chain, the next subscribed when
     * the previous completes ({@code concatMap}), one {@code block()} for the 100. Blocking on each query instead
     * measured the hand-off to the benchmark's thread and back (two thread wake-ups per query, for both drivers).
     * No {@link Spinner} here, unlike the blocking point selects: no thread sleeps in a blocking call waiting for
     * the reply (the next statement is sent from the event loop), and a spinner taking one of the two vCPUs made the
     * loop and the server backend share the other: quiet runs on 2026-12-06 gave tusk-r2dbc 5.7k and 10.9k queries/s
     * with it, 19.7k and 24.7k without; r2dbc-postgresql 13.4k and 12.9k with it, 11.2k and 19.7k without.
     */
    @Benchmark
    public long pointSelect() {
        int from = next;
        next = (next + CHAIN) % BenchServer.KV_ROWS;
        Connection c = conns.get(0);
        return Flux.range(from, CHAIN)
                .concatMap(i -> Flux.from(c.createStatement("SELECT v FROM bench_kv WHERE id = $1")
                                .bind(0, i % BenchServer.KV_ROWS + 1).execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, String.class))))
                .count().block(T);
    }

    /** One operation = 100,000 rows, every value read. */
    @Benchmark
    public int fetch100k() {
        long[] sink = new long[1];
        Long n = Flux.from(conns.get(0).createStatement("SELECT a, b, c, d, e, f FROM bench_wide").execute())
                .concatMap(r -> r.map((row, md) -> {
                    Integer a = row.get(0, Integer.class);
                    String b = row.get(1, String.class);
                    Integer c = row.get(2, Integer.class);
                    OffsetDateTime d = row.get(3, OffsetDateTime.class);
                    BigDecimal e = row.get(4, BigDecimal.class);
                    Boolean f = row.get(5, Boolean.class);
                    sink[0] += (a == null ? 0 : a) + b.length() + (c == null ? 0 : c) + (d == null ? 0 : 1) + (e == null ? 0 : 1)
                            + (Boolean.TRUE.equals(f) ? 1 : 0);
                    return 1;
                })).count().block(T);
        return sink[0] == Long.MIN_VALUE ? -1 : n.intValue();
    }

    static void truncate(java.sql.Connection admin) throws Exception {
        try (var s = admin.createStatement()) {
            s.execute("TRUNCATE bench_insert");
        }
    }

    static long insert10k(Connection c) {
        Statement st = c.createStatement("INSERT INTO bench_insert (a, b, c) VALUES ($1, $2, $3)");
        for (int i = 0; i < InsertBench.ROWS; i++) {
            if (i > 0) {
                st.add();
            }
            st.bind(0, i).bind(1, "row-" + i).bind(2, 7);
        }
        return Flux.from(st.execute()).concatMap(Result::getRowsUpdated).reduce(0L, Long::sum).block(T);
    }

    /** The table emptied before each insert (outside the measured time). */
    @State(Scope.Thread)
    public static class Empty {
        java.sql.Connection admin;

        @Setup(Level.Trial)
        public void open() throws Exception {
            admin = DriverManager.getConnection(BenchServer.jdbcUrl(""));
        }

        @Setup(Level.Invocation)
        public void truncate() throws Exception {
            R2dbcBench.truncate(admin);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            admin.close();
        }
    }

    /** One operation = 10,000 rows: one Statement, 10,000 bindings. */
    @Benchmark
    public long insert10k(Empty empty) {
        return insert10k(conns.get(0));
    }

    /** One operation = 10,000 point selects, 32 in flight over the 4 connections. */
    @Benchmark
    public long inFlight32() {
        return Flux.range(0, ConcurrentBench.QUERIES)
                .flatMap(i -> Flux.from(conns.get(i & 3).createStatement("SELECT v FROM bench_kv WHERE id = $1")
                                .bind(0, i % BenchServer.KV_ROWS + 1).execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, String.class))), 32)
                .count().block(T);
    }
}
