package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Not a benchmark (tusk-bench is the place for one), a witness: the same 100,000-row transaction read from
 * identical pgoutput slots by Tusk, which decodes every message and loads every value, and by pgjdbc's
 * replication API, which hands out raw buffers (only each message's first byte is looked at). Prints both
 * rates; asserts only that both saw every row.
 */
class ReplicationThroughputTest {
    private static final int ROWS = 100_000;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void tuskDecodingAndPgjdbcRawReadTheSameStream() throws Exception {
        try (TestDatabase db = ReplicationServer.database("repl_rate")) {
            try (Connection<Row> c = Repl.sql(db);
                 ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
                c.execute("CREATE TABLE rate (id int PRIMARY KEY, name text, price numeric(10,2), at timestamptz)");
                c.execute("CREATE PUBLICATION rate FOR TABLE rate");
                for (String s : new String[]{"tusk_1", "pgjdbc_1", "tusk_2", "pgjdbc_2"}) {
                    rc.createSlot(SlotSpec.logical(s, "pgoutput"));
                }
                c.execute("INSERT INTO rate SELECT g, 'name ' || g, g / 100.0, now() FROM generate_series(1, " + ROWS + ") g");
            }
            double[] rates = new double[4];
            for (int round = 0; round < 2; round++) {
                rates[round * 2] = tusk(db, "tusk_" + (round + 1));
                rates[round * 2 + 1] = pgjdbc(db, "pgjdbc_" + (round + 1));
            }
            System.out.printf("replication rate (rows/s), 2nd round: tusk decoded %.0f, pgjdbc raw %.0f, ratio %.2f"
                    + " (1st round: %.0f, %.0f)%n", rates[2], rates[3], rates[2] / rates[3], rates[0], rates[1]);
            Repl.drop(db);
        }
    }

    private static double tusk(TestDatabase db, String slot) {
        long rows = 0;
        long t0 = System.nanoTime();
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo());
             PgOutputStream s = rc.startPgOutput(slot, Lsn.INVALID, PgOutputOptions.publications("rate"))) {
            while (true) {
                PgOutputMessage m = s.read(Duration.ofSeconds(30));
                assertThat(m).isNotNull();
                if (m instanceof PgOutputMessage.Insert i) {
                    if (i.newTuple().get(2) != null) {
                        rows++;
                    }
                } else if (m instanceof PgOutputMessage.Commit c) {
                    s.acknowledge(c.endLsn());
                    break;
                }
            }
        }
        double rate = rows / ((System.nanoTime() - t0) / 1e9);
        assertThat(rows).isEqualTo(ROWS);
        return rate;
    }

    private static double pgjdbc(TestDatabase db, String slot) throws Exception {
        Properties props = new Properties();
        PGProperty.USER.set(props, db.superuser());
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        long rows = 0;
        long t0 = System.nanoTime();
        try (java.sql.Connection con = DriverManager.getConnection(
                "jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.dbname(), props)) {
            PGReplicationStream stream = con.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot).withStartPosition(LogSequenceNumber.INVALID_LSN)
                    .withSlotOption("proto_version", "1").withSlotOption("publication_names", "rate")
                    .withStatusInterval(10, TimeUnit.SECONDS).start();
            while (true) {
                ByteBuffer b = stream.read();
                byte kind = b.get(b.position());
                if (kind == 'I') {
                    rows++;
                } else if (kind == 'C') {
                    stream.setFlushedLSN(stream.getLastReceiveLSN());
                    stream.setAppliedLSN(stream.getLastReceiveLSN());
                    break;
                }
            }
            stream.close();
        }
        double rate = rows / ((System.nanoTime() - t0) / 1e9);
        assertThat(rows).isEqualTo(ROWS);
        return rate;
    }
}
