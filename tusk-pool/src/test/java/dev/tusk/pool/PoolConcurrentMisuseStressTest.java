package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blocking {@link ConnectionPool} smaller than its borrowers: threads lease connections (a short getconn timeout under
 * contention), read their own tokens, leave transactions, session settings and cursors behind, and hand a lease's
 * handle (or a cursor of it) to another thread that uses it after the lease ended; another thread resizes, drains
 * and checks the pool meanwhile; with {@code close} on, the pool is closed under them. Oracle: a lease reads only its
 * own token and starts idle with none of the last borrower's settings; a stale handle or cursor is refused with a
 * TuskException, never served by the next borrower's connection; no call hangs; a closed pool refuses new leases.
 *
 * <p>{@code -Dtusk.poolMisuse.millis} (default 2500 per case), {@code .threads} (6), {@code .seed}.
 */
@TuskTest
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolConcurrentMisuseStressTest {
    private static final long MILLIS = Long.getLong("tusk.poolMisuse.millis", 2500);
    private static final int THREADS = Integer.getInteger("tusk.poolMisuse.threads", 6);
    private static final long SEED = ModelRuns.seed("tusk.poolMisuse", System.nanoTime());

    @ParameterizedTest
    @ValueSource(strings = {"run", "close"})
    void borrowersNeverSeeAnotherLeaseAndNothingHangs(String mode, TestDatabase db) throws Exception {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(3)
                .timeout(Duration.ofMillis(300)).open(true).build();
        pool.waitReady(Duration.ofSeconds(10));
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        AtomicLong ops = new AtomicLong();
        AtomicReference<Connection<Row>> staleHandle = new AtomicReference<>();
        AtomicReference<Cursor<Row>> staleCursor = new AtomicReference<>();
        long end = System.nanoTime() + MILLIS * 1_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int id = i;
            Random random = new Random(SEED + i);
            threads.add(new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end && failures.isEmpty()) {
                    String tok = "t" + id + "_" + n++;
                    try {
                        int op = random.nextInt(10);
                        if (op < 6) {
                            Connection<Row> leased = null;
                            Cursor<Row> leasedCursor = null;
                            try (Connection<Row> conn = pool.connection()) {
                                assertThat(conn.info().transactionStatus()).as("a lease starts idle")
                                        .isEqualTo(TransactionStatus.IDLE);
                                assertThat(conn.execute("SELECT current_setting('application_name')").fetchone()
                                        .getString(0)).as("no setting of the last borrower").doesNotStartWith("t");
                                assertThat(conn.execute("SELECT %s::text", tok).fetchone().getString(0)).isEqualTo(tok);
                                if (random.nextBoolean()) {
                                    conn.execute("SET application_name = '" + tok + "'");
                                }
                                if (random.nextInt(4) == 0) {
                                    leased = conn; // handed to another thread once this lease ended
                                }
                                if (random.nextInt(4) == 0) {
                                    Cursor<Row> c = conn.cursor();
                                    c.execute("SELECT %s || '-' || g FROM generate_series(1, 5) g", tok);
                                    leasedCursor = c;
                                }
                                if (random.nextInt(3) == 0) {
                                    conn.execute("SELECT 1"); // left in a transaction (autocommit off)
                                }
                            }
                            if (leased != null) {
                                staleHandle.set(leased);
                            }
                            if (leasedCursor != null) {
                                staleCursor.set(leasedCursor);
                            }
                        } else if (op < 8) {
                            Connection<Row> stale = staleHandle.get();
                            if (stale != null) {
                                try {
                                    Row r = stale.execute("SELECT %s::text", tok).fetchone();
                                    failures.add("a stale lease handle ran a statement: " + r.getString(0));
                                } catch (TuskException refused) {
                                    errors.merge("stale handle: " + refused.getClass().getSimpleName(), 1, Integer::sum);
                                }
                            }
                        } else if (op < 9) {
                            Cursor<Row> c = staleCursor.get();
                            if (c != null) {
                                try {
                                    Row r = c.fetchone(); // rows already read: may be served, never another lease's
                                    if (r != null && !r.getString(0).matches("t\\d+_\\d+-\\d")) {
                                        failures.add("a stale cursor read " + r.getString(0));
                                    }
                                    c.execute("SELECT %s::text", tok);
                                    failures.add("a stale cursor ran a statement");
                                } catch (TuskException refused) {
                                    errors.merge("stale cursor: " + refused.getClass().getSimpleName(), 1, Integer::sum);
                                }
                            }
                        } else if (id == 0) {
                            int max = 1 + random.nextInt(4);
                            pool.resize(Math.min(1, max), max);
                            if (random.nextBoolean()) {
                                pool.checkAll();
                            } else {
                                pool.drain();
                            }
                        }
                        ops.incrementAndGet();
                    } catch (PoolTimeout | PoolClosed e) {
                        errors.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                    } catch (TuskException e) {
                        errors.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                    } catch (Throwable t) {
                        failures.add(tok + ": " + t + ModelRuns.stack(t, 10));
                    }
                    if (pool.isClosed() && random.nextInt(3) == 0) {
                        return;
                    }
                }
            }, "pool-misuse-" + i));
        }
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
        if (mode.equals("close")) {
            Thread.sleep(MILLIS / 3);
            pool.close(Duration.ofSeconds(5));
        }
        for (Thread t : threads) {
            t.join(MILLIS + 30_000);
            if (t.isAlive()) {
                failures.add(t.getName() + " hung");
            }
        }
        String summary = mode + " seed=" + SEED + " ops=" + ops + " errors=" + errors;
        System.out.println("[PoolConcurrentMisuseStressTest] " + summary);
        assertThat(failures).as(summary).isEmpty();
        if (mode.equals("close")) {
            assertThat(pool.isClosed()).isTrue();
            try {
                pool.connection().close();
                throw new AssertionError("a closed pool leased a connection");
            } catch (PoolClosed expected) {
                // refused
            }
        } else {
            try (Connection<Row> conn = pool.connection(Duration.ofSeconds(10))) {
                assertThat(conn.execute("SELECT 'last'").fetchone().getString(0)).isEqualTo("last");
            }
            pool.close(Duration.ofSeconds(5));
        }
    }
}
