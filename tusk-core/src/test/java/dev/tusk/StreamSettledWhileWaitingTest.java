package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stream's consumer thread decided to read its next chunk and waits for the connection's lock, which another
 * thread holds to run a statement: that statement settles the stream first (its rest read into memory, or the
 * stream ended). The consumer then reads what the settle left: the rows kept, or the interruption, and never
 * "another operation ran on the connection" for a stream whose rest was kept (the race tusk-jdbc's
 * StatementCancelRaceTest met: a live result set's first read queued behind another Statement's start). The
 * interleaving is forced: the test thread holds the lock until the consumer is queued on it.
 */
@TuskTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamSettledWhileWaitingTest {
    private Connection<Row> conn;
    private final ExecutorService threads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stream-settled-while-waiting-test");
        t.setDaemon(true);
        return t;
    });

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true).build());
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        conn.close();
    }

    /** Runs the stream's first read on another thread, queued on the lock, while this thread runs a statement. */
    private Future<List<Integer>> readQueuedBehindAStatement(RowStream<Row> rows) throws Exception {
        Future<List<Integer>> reading;
        conn.lock.lock();
        try {
            reading = threads.submit(() -> {
                List<Integer> out = new ArrayList<>();
                try (rows) {
                    while (rows.hasNext()) {
                        out.add(rows.next().getInt(0));
                    }
                }
                return out;
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!conn.lock.hasQueuedThreads()) { // the reader passed its unfinished check and waits for the lock
                assertThat(System.nanoTime()).as("the reader queued on the lock").isLessThan(end);
                Thread.onSpinWait();
            }
            try (Cursor<Row> other = conn.cursor()) { // settles the stream first (the lock is reentrant)
                assertThat(other.execute("SELECT 17").fetchone().getInt(0)).isEqualTo(17);
            }
        } finally {
            conn.lock.unlock();
        }
        return reading;
    }

    @Test
    void aStreamKeepingItsRestGivesAllItsRowsWhenSettledWhileItsReaderWaitsForTheLock() throws Exception {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> rows = cur.liveRows("SELECT g FROM generate_series(1, 3) g", null, ExecuteOptions.DEFAULT, true);
        assertThat(readQueuedBehindAStatement(rows).get(20, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
        assertThat(conn.cursor().execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
    }

    @Test
    void aStreamNotKeepingItsRestIsInterruptedWhenEndedWhileItsReaderWaitsForTheLock() throws Exception {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> rows = cur.liveRows("SELECT g FROM generate_series(1, 100000) g", null, ExecuteOptions.DEFAULT,
                false);
        Future<List<Integer>> reading = readQueuedBehindAStatement(rows);
        assertThatThrownBy(() -> reading.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(OperationalException.class)
                .hasMessageContaining("the stream was interrupted")
                .hasMessageContaining("read a stream to its end (or close it) before the next statement");
        assertThat(conn.cursor().execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
    }
}
