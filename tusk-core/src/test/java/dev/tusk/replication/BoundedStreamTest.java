package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 100,000-row transaction of 200-byte rows (20 MB of values) streamed with {@code streaming on} and decoded
 * in a child JVM with {@code -Xmx64m}: if the stream or the decoder kept what was read, it would run out of heap.
 */
class BoundedStreamTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aHundredThousandRowTransactionIsStreamedIn64MbOfHeap() throws Exception {
        int n = 100_000;
        try (TestDatabase db = ReplicationServer.database("repl_bounded")) {
            try (Connection<Row> c = Repl.sql(db);
                 ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
                c.execute("CREATE TABLE wide (id int PRIMARY KEY, pad text)");
                c.execute("CREATE PUBLICATION wide FOR TABLE wide");
                rc.createSlot(SlotSpec.logical("bounded", "pgoutput"));
                c.execute("INSERT INTO wide SELECT g, repeat('p', 200) FROM generate_series(1, " + n + ") g");
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    BoundedStreamMain.class.getName(), db.conninfo(), "bounded", "wide")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("rows " + n + " " + (long) n * (n + 1) / 2 + " " + (long) n * 200);
            Repl.drop(db);
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aHundredThousandRowTransactionIsPublishedOnTheEventLoopToASlowConsumerIn64MbOfHeap() throws Exception {
        int n = 100_000;
        try (TestDatabase db = ReplicationServer.database("repl_bounded_async")) {
            try (Connection<Row> c = Repl.sql(db);
                 ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
                c.execute("CREATE TABLE wide (id int PRIMARY KEY, pad text)");
                c.execute("CREATE PUBLICATION wide FOR TABLE wide");
                rc.createSlot(SlotSpec.logical("bounded_async", "pgoutput"));
                c.execute("INSERT INTO wide SELECT g, repeat('p', 200) FROM generate_series(1, " + n + ") g");
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    AsyncBoundedStreamMain.class.getName(), db.conninfo(), "bounded_async", "wide")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("rows " + n + " " + (long) n * (n + 1) / 2 + " " + (long) n * 200 + " max-buffered ");
            int maxBuffered = Integer.parseInt(out.substring(out.indexOf("max-buffered ") + 13).trim().split("\\s+")[0]);
            assertThat(maxBuffered).isBetween(1, 256);
            Repl.drop(db);
        }
    }
}
