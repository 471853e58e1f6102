package dev.tusk.bench;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;

/** (b) Fetch 100,000 rows × 6 columns (int, text, int, timestamptz, numeric, bool), touching every value. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FetchBench {
    static final String QUERY = "SELECT a, b, c, d, e, f FROM bench_wide";

    /** "tusk", "pgjdbc", "vertx": each driver with its defaults; "tusk-text"/"tusk-binary": Tusk with a format forced. */
    @Param({"tusk", "tusk-text", "tusk-binary", "tusk-stream", "pgjdbc", "vertx"})
    public String client;

    private Fetcher fetcher;

    /** The open client (FetchProfile). */
    Fetcher fetcher() {
        return fetcher;
    }

    interface Fetcher extends AutoCloseable {
        long fetchAll() throws Exception;

        /** Runs the query and returns the row count without reading a value: the time the rows take to arrive. */
        long receiveAll() throws Exception;
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        fetcher = switch (client) {
            case "tusk" -> tusk(null);
            case "tusk-text" -> tusk(false);
            case "tusk-binary" -> tusk(true);
            case "tusk-stream" -> tuskStream();
            case "pgjdbc" -> pgjdbc();
            case "vertx" -> vertx();
            default -> throw new IllegalArgumentException(client);
        };
        long expected = Checks.wideChecksum();
        for (int i = 0; i < 6; i++) { // pgjdbc switches to binary after 5 executions: measure after the switch
            Checks.expect(client + " fetch", expected, fetcher.fetchAll());
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        fetcher.close();
    }

    /** One operation = 100,000 rows. */
    @Benchmark
    public long fetch100k() throws Exception {
        return fetcher.fetchAll();
    }

    /**
     * One operation = 100,000 rows received and not read (workload fetch-receive): set beside fetch100k,
     * it splits a client's time into waiting for the rows and decoding them.
     */
    @Benchmark
    public long receive100k() throws Exception {
        return fetcher.receiveAll();
    }

    /**
     * Tusk's default (null: the automatic format, binary for the columns that read the same once the statement is
     * prepared), text results (psycopg's default) or binary ones, asked for as a connection default.
     */
    private static Fetcher tusk(Boolean binary) {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(BenchServer.tuskConninfo()).autocommit(true);
        if (binary != null) {
            b.binary(binary);
        }
        Connection<Row> c = Connection.connect(b.build());
        return new Fetcher() {
            @Override
            public long fetchAll() {
                long sum = 0;
                for (Row r : c.execute(QUERY, new Object[0])) {
                    Object d = r.get(3);
                    sum += r.getInt(0) + r.getString(1).length() + r.getInt(2)
                            + r.getBigDecimal(4).longValue() + (r.getBoolean(5) ? 1 : 0) + (d == null ? 1 : 0);
                }
                return sum;
            }

            @Override
            public long receiveAll() {
                return c.execute(QUERY, new Object[0]).rowcount();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    /**
     * Binary rows read with {@code cursor().stream()}: the loop works on each chunk of rows while the
     * server produces the next, where {@code execute} hands the rows over once the last one arrived.
     */
    private static Fetcher tuskStream() {
        Connection<Row> c = Connection.connect(ConnectOptions.builder().conninfo(BenchServer.tuskConninfo())
                .autocommit(true).binary(true).build());
        return new Fetcher() {
            @Override
            public long fetchAll() {
                long[] sum = {0};
                try (var rows = c.cursor().stream(QUERY, new Object[0])) {
                    rows.forEach(r -> {
                        Object d = r.get(3);
                        sum[0] += r.getInt(0) + r.getString(1).length() + r.getInt(2)
                                + r.getBigDecimal(4).longValue() + (r.getBoolean(5) ? 1 : 0) + (d == null ? 1 : 0);
                    });
                }
                return sum[0];
            }

            @Override
            public long receiveAll() {
                try (var rows = c.cursor().stream(QUERY, new Object[0])) {
                    return rows.count();
                }
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    private static Fetcher pgjdbc() throws Exception {
        java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(""));
        PreparedStatement ps = c.prepareStatement(QUERY);
        return new Fetcher() {
            @Override
            public long fetchAll() throws Exception {
                long sum = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        OffsetDateTime d = rs.getObject(4, OffsetDateTime.class);
                        BigDecimal e = rs.getBigDecimal(5);
                        sum += rs.getInt(1) + rs.getString(2).length() + rs.getInt(3) + e.longValue()
                                + (rs.getBoolean(6) ? 1 : 0) + (d == null ? 1 : 0);
                    }
                }
                return sum;
            }

            @Override
            public long receiveAll() throws Exception {
                long n = 0;
                try (ResultSet rs = ps.executeQuery()) { // the driver holds every row once this returns
                    while (rs.next()) {
                        n++;
                    }
                }
                return n;
            }

            @Override
            public void close() throws Exception {
                c.close();
            }
        };
    }

    private static Fetcher vertx() {
        Vertx vertx = Vertx.vertx();
        PgConnection c = Vertx5.connect(vertx);
        var q = c.preparedQuery(QUERY);
        return new Fetcher() {
            @Override
            public long fetchAll() {
                long sum = 0;
                for (io.vertx.sqlclient.Row r : Vertx5.await(q.execute())) {
                    OffsetDateTime d = r.getOffsetDateTime(3);
                    sum += r.getInteger(0) + r.getString(1).length() + r.getInteger(2)
                            + r.getBigDecimal(4).longValue() + (r.getBoolean(5) ? 1 : 0) + (d == null ? 1 : 0);
                }
                return sum;
            }

            @Override
            public long receiveAll() {
                return Vertx5.await(q.execute()).size();
            }

            @Override
            public void close() {
                Vertx5.await(c.close());
                Vertx5.await(vertx.close());
            }
        };
    }
}
