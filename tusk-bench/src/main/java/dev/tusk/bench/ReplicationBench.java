package dev.tusk.bench;

import dev.tusk.replication.PgOutputMessage;
import dev.tusk.replication.PgOutputOptions;
import dev.tusk.replication.PgOutputStream;
import dev.tusk.replication.ReplicationConnection;
import dev.tusk.replication.SlotSpec;
import dev.tusk.replication.Tuple;
import dev.tusk.types.Lsn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Logical replication: one 200,000-row insert transaction (the six columns of {@code bench_wide}) read from a
 * {@code pgoutput} slot, start to commit. Tusk decodes every message and loads every value into its Java type
 * (Integer, String, OffsetDateTime, BigDecimal, Boolean); pgjdbc's replication API hands out each message as a raw
 * {@code ByteBuffer}, of which only the first byte (the message kind) is looked at. Each client has its own slot,
 * both created before the insert, so both read the same WAL; each operation opens a new replication connection (PostgreSQL
 * ends a second logical stream on one connection at once: the connection's cost is part of both rates, and small
 * against 200,000 changes); nothing is acknowledged, so every operation reads the
 * whole transaction again (the walsender decodes it again too: its time is part of both clients' rates). Needs
 * {@code wal_level=logical}: the runner starts the server so when this workload is named.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplicationBench {
    public static final int ROWS = 200_000;
    static final String TABLE = "bench_repl";

    @Param({"tusk", "pgjdbc"})
    public String client;

    @Setup(Level.Trial)
    public void open() throws Exception {
        prepare();
        Checks.expect(client + " changes", (long) ROWS, (long) read());
    }

    /**
     * The table, a publication and the two slots, then the insert: once for the whole run (the first client's
     * fork does it, the other finds it done), so that both clients read the same WAL.
     */
    private static void prepare() throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(""));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'bench_repl_%'")) {
                rs.next();
                if (rs.getInt(1) == 2) {
                    return;
                }
            }
            s.execute("CREATE TABLE " + TABLE + " (a int, b text, c int, d timestamptz, e numeric(12,2), f bool)");
            s.execute("CREATE PUBLICATION " + TABLE + " FOR TABLE " + TABLE);
            try (ReplicationConnection rc = ReplicationConnection.connect(BenchServer.tuskConninfo())) {
                rc.createSlot(SlotSpec.logical("bench_repl_tusk", "pgoutput"));
                rc.createSlot(SlotSpec.logical("bench_repl_pgjdbc", "pgoutput"));
            }
            s.execute("INSERT INTO " + TABLE + " SELECT g, 'text value number ' || g, g % 1000, "
                    + "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', (g * 1.25)::numeric(12,2), g % 2 = 0 "
                    + "FROM generate_series(1, " + ROWS + ") g");
        }
    }

    private int read() throws Exception {
        return client.equals("tusk") ? readTusk() : readPgjdbc();
    }

    private int readTusk() {
        int n = 0;
        long sink = 0;
        // a connection per stream, for both clients: PostgreSQL ends a second logical stream on one connection at once
        try (ReplicationConnection tusk = ReplicationConnection.connect(BenchServer.tuskConninfo());
             PgOutputStream s = tusk.startPgOutput("bench_repl_tusk", Lsn.INVALID, PgOutputOptions.publications(TABLE))) {
            while (true) {
                PgOutputMessage m = s.read(Duration.ofSeconds(60));
                if (m instanceof PgOutputMessage.Insert i) {
                    Tuple t = i.newTuple();
                    sink += (Integer) t.get(0);
                    String b = (String) t.get(1);
                    sink += (Integer) t.get(2);
                    Object d = t.get(3); // an OffsetDateTime
                    BigDecimal e = (BigDecimal) t.get(4);
                    sink += (Boolean) t.get(5) ? 1 : 0;
                    sink += b.length() + (d == null ? 0 : 1) + (e == null ? 0 : 1);
                    n++;
                } else if (m instanceof PgOutputMessage.Commit || m == null) {
                    break;
                }
            }
        }
        return sink == Long.MIN_VALUE ? -1 : n;
    }

    private int readPgjdbc() throws Exception {
        int n = 0;
        Properties props = new Properties();
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        try (java.sql.Connection jdbc = DriverManager.getConnection(BenchServer.jdbcUrl(""), props)) {
            n = readPgjdbc(jdbc);
        }
        return n;
    }

    private static int readPgjdbc(java.sql.Connection jdbc) throws Exception {
        int n = 0;
        PGReplicationStream stream = jdbc.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName("bench_repl_pgjdbc").withStartPosition(LogSequenceNumber.INVALID_LSN)
                .withSlotOption("proto_version", "1").withSlotOption("publication_names", TABLE)
                .withStatusInterval(10, TimeUnit.SECONDS).start();
        try {
            while (true) {
                ByteBuffer b = stream.read();
                byte kind = b.get(b.position());
                if (kind == 'I') {
                    n++;
                } else if (kind == 'C') {
                    break;
                }
            }
        } finally {
            stream.close();
        }
        return n;
    }

    /** One operation = the 200,000 changes of the transaction. */
    @Benchmark
    public int read200k() throws Exception {
        return read();
    }
}
