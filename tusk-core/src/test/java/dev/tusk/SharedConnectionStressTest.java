package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One blocking {@link Connection} shared by several threads that run, at random, statements, client and server-side
 * cursors, streams (read to the end or left early), transaction blocks with savepoints, pipelines, COPY TO, commits,
 * rollbacks and cancels, all at once (psycopg's connection is thread-safe: its statements are serialised by a lock).
 * The oracle: every statement selects a token of its own and must read back exactly its rows, never another thread's;
 * an error is a {@link TuskException} (a database error, or a clear refusal of the interleaving); no call hangs; and
 * afterwards the connection is usable, idle, and its transaction status is the server's. With {@code close} on, the
 * test's thread closes the connection under the workers: every worker then ends in bounded time, and the connection
 * is visibly closed, not broken.
 *
 * <p>{@code -Dtusk.shared.millis} (default 2500 per case), {@code -Dtusk.shared.threads} (4) and {@code -Dtusk.shared.seed}
 * run it longer or replay one op sequence (thread scheduling is not replayable).
 */
@TuskTest
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedConnectionStressTest {
    private static final long MILLIS = Long.getLong("tusk.shared.millis", 2500);
    private static final int THREADS = Integer.getInteger("tusk.shared.threads", 4);
    private static final long SEED = ModelRuns.seed("tusk.shared", System.nanoTime());
    private static final Pattern ANY_TOKEN = Pattern.compile("t\\d+_\\d+(-\\d+)?");

    @ParameterizedTest
    @ValueSource(strings = {"autocommit", "transactions", "autocommit+close", "transactions+close"})
    void threadsSharingOneConnectionEachReadTheirOwnRowsAndLeaveItConsistent(String mode, TestDatabase db)
            throws Exception {
        boolean autocommit = mode.startsWith("autocommit");
        boolean closeUnder = mode.endsWith("+close");
        Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .autocommit(autocommit).statementTimeout(java.time.Duration.ofSeconds(10)).build());
        Run run = new Run(conn, new Random(SEED), autocommit);
        List<Thread> workers = new ArrayList<>();
        long end = System.nanoTime() + MILLIS * 1_000_000L;
        for (int i = 0; i < THREADS; i++) {
            long seed = SEED + i;
            int id = i;
            Thread t = new Thread(() -> run.work(id, new Random(seed), end), "shared-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        if (closeUnder) {
            Thread.sleep(MILLIS / 4 + new Random(SEED).nextInt((int) Math.max(1, MILLIS / 2)));
            long start = System.nanoTime();
            conn.close();
            assertThat((System.nanoTime() - start) / 1_000_000L).as("close() under the workers").isLessThan(3000);
        }
        for (Thread t : workers) {
            t.join(MILLIS + 30_000);
            if (t.isAlive()) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement e : t.getStackTrace()) {
                    stack.append("\n    at ").append(e);
                }
                run.failures.add(t.getName() + " hung in " + run.current.get(t.getName()) + stack);
            }
        }
        String summary = mode + " seed=" + SEED + " ops=" + run.ops.get() + " errors=" + run.errors;
        System.out.println("[SharedConnectionStressTest] " + summary);
        assertThat(run.failures).as(summary).isEmpty();
        if (closeUnder) {
            assertThat(conn.isClosed()).isTrue();
            assertThat(conn.isBroken()).as("closed by the user, not lost").isFalse();
            return;
        }
        assertThat(conn.isBroken()).as(summary).isFalse();
        assertThat(conn.isClosed()).as(summary).isFalse();
        // whatever the threads left: a rollback makes it idle, and the driver's status is the server's
        conn.rollback();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(conn.execute("SELECT %s::text", "last").fetchone().getString(0)).isEqualTo("last");
        if (!autocommit) {
            assertThat(conn.info().transactionStatus()).as("autocommit=" + conn.autocommit() + " pipeline="
                    + conn.info().pipelineStatus() + " server: " + db.adminQuery(
                    "SELECT state FROM pg_stat_activity WHERE pid = " + conn.info().backendPid()) + " " + summary)
                    .isEqualTo(TransactionStatus.INTRANS);
            conn.commit();
        }
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        int pid = conn.info().backendPid();
        long until = System.nanoTime() + 5_000_000_000L; // the server reports its state just after ReadyForQuery
        while (!"idle".equals(db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid))
                && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid)).isEqualTo("idle");
        conn.close();
    }

    /** The shared connection, what the workers saw, and the ops they run. */
    private static final class Run {
        final Connection<Row> conn;
        final boolean autocommit;
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final Map<String, Integer> errors = new ConcurrentHashMap<>();
        final Map<String, String> current = new ConcurrentHashMap<>();
        final AtomicLong ops = new AtomicLong();
        /** A cursor all threads use at once (misuse): it must only ever show some whole token. */
        final Cursor<Row> shared;

        Run(Connection<Row> conn, Random random, boolean autocommit) {
            this.conn = conn;
            this.autocommit = autocommit;
            this.shared = conn.cursor();
        }

        void work(int id, Random random, long end) {
            int n = 0;
            while (System.nanoTime() < end && failures.isEmpty()) {
                String tok = "t" + id + "_" + n++;
                int op = random.nextInt(100);
                String name = opName(op);
                current.put(Thread.currentThread().getName(), name + " " + tok);
                try {
                    run(op, tok, random);
                    ops.incrementAndGet();
                } catch (TuskException e) {
                    String key = name + ": " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
                    errors.merge(key, 1, Integer::sum);
                    if (conn.isClosed()) {
                        if (!String.valueOf(e.getMessage()).contains("closed")) {
                            // a call failing on a connection closed by the user says so
                            errors.merge("NOT SAYING CLOSED " + key, 1, Integer::sum);
                        }
                    }
                } catch (Throwable t) {
                    failures.add(name + " " + tok + ": " + t + ModelRuns.stack(t, 12));
                }
                if (conn.isClosed() && random.nextInt(4) == 0) {
                    return;
                }
            }
        }

        static String opName(int op) {
            return op < 25 ? "select" : op < 35 ? "rows" : op < 45 ? "cursorPieces" : op < 55 ? "stream"
                    : op < 62 ? "serverCursor" : op < 70 ? "transaction" : op < 77 ? "pipeline" : op < 84 ? "copyOut"
                    : op < 88 ? "sharedCursor" : op < 93 ? "rollback" : op < 96 ? "commit" : op < 98 ? "info"
                    : "cancel";
        }

        void run(int op, String tok, Random random) throws Exception {
            switch (opName(op)) {
                case "select" -> same(tok, conn.execute("SELECT %s::text", tok).fetchone());
                case "rows" -> {
                    int count = random.nextInt(20) + 1;
                    rows(tok, count, conn.execute("SELECT %s || '-' || g FROM generate_series(1, %s) g", tok, count)
                            .fetchall());
                }
                case "cursorPieces" -> {
                    int count = random.nextInt(30) + 1;
                    try (Cursor<Row> c = conn.cursor()) {
                        c.execute("SELECT %s || '-' || g FROM generate_series(1, %s) g", tok, count);
                        List<Row> got = new ArrayList<>();
                        Row r1 = c.fetchone();
                        if (r1 != null) {
                            got.add(r1);
                        }
                        got.addAll(c.fetchmany(3));
                        got.addAll(c.fetchall());
                        rows(tok, count, got);
                    }
                }
                case "stream" -> {
                    int count = random.nextInt(200) + 1;
                    int take = random.nextBoolean() ? count : random.nextInt(count) + 1;
                    try (Stream<Row> s = conn.cursor().stream(
                            "SELECT %s || '-' || g FROM generate_series(1, %s) g", tok, count)) {
                        Iterator<Row> it = s.iterator();
                        List<Row> got = new ArrayList<>();
                        while (got.size() < take && it.hasNext()) {
                            got.add(it.next());
                        }
                        rows(tok, take, got);
                    }
                }
                case "serverCursor" -> {
                    int count = random.nextInt(30) + 1;
                    try (ServerCursor<Row> c = conn.cursor("sc_" + tok)) {
                        if (autocommit) {
                            c.setWithhold(true);
                        }
                        c.execute("SELECT %s || '-' || g FROM generate_series(1, %s) g", tok, count);
                        List<Row> got = new ArrayList<>(c.fetchmany(4));
                        got.addAll(c.fetchall());
                        rows(tok, count, got);
                    }
                }
                case "transaction" -> conn.transaction(tx -> {
                    same(tok, conn.execute("SELECT %s::text", tok).fetchone());
                    if (random.nextBoolean()) {
                        try {
                            conn.transaction(inner -> {
                                same(tok + "-1", conn.execute("SELECT %s::text", tok + "-1").fetchone());
                                if (random.nextInt(3) == 0) {
                                    throw new Rollback();
                                }
                                return null;
                            });
                        } catch (Rollback ignored) {
                            // not thrown: a Rollback is the block's own
                        }
                    }
                    if (random.nextInt(4) == 0) {
                        throw new Rollback();
                    }
                    return null;
                });
                case "pipeline" -> {
                    try (Pipeline p = conn.pipeline()) {
                        Cursor<Row> a = conn.execute("SELECT %s::text", tok);
                        Cursor<Row> b = conn.execute("SELECT %s::text", tok + "-2");
                        if (random.nextBoolean()) {
                            p.sync();
                        }
                        same(tok, a.fetchone());
                        same(tok + "-2", b.fetchone());
                    }
                }
                case "copyOut" -> {
                    int count = random.nextInt(20) + 1;
                    List<String> got = new ArrayList<>();
                    try (Copy copy = conn.cursor().copy(
                            "COPY (SELECT %s || '-' || g FROM generate_series(1, %s) g) TO STDOUT", tok, count)) {
                        for (List<String> row : copy.rows()) {
                            got.add(row.get(0));
                        }
                    }
                    assertThat(got).hasSize(count);
                    for (int i = 0; i < count; i++) {
                        assertThat(got.get(i)).isEqualTo(tok + "-" + (i + 1));
                    }
                }
                case "sharedCursor" -> {
                    shared.execute("SELECT %s::text", tok);
                    Row r = shared.fetchone();
                    if (r != null) {
                        assertThat(r.getString(0)).matches(ANY_TOKEN);
                    }
                }
                case "rollback" -> conn.rollback();
                case "commit" -> conn.commit();
                case "info" -> {
                    conn.info().transactionStatus();
                    conn.isBroken();
                }
                case "cancel" -> conn.cancel();
                default -> throw new AssertionError(op);
            }
        }

        private static void same(String tok, Row row) {
            assertThat(row).as("the row of " + tok).isNotNull();
            assertThat(row.getString(0)).isEqualTo(tok);
        }

        private static void rows(String tok, int count, List<Row> got) {
            assertThat(got).as("the rows of " + tok).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(got.get(i).getString(0)).isEqualTo(tok + "-" + (i + 1));
            }
        }

        private static String firstLine(String s) {
            if (s == null) {
                return "null";
            }
            int nl = s.indexOf('\n');
            String line = nl < 0 ? s : s.substring(0, nl);
            return line.length() > 160 ? line.substring(0, 160) : line;
        }
    }
}
