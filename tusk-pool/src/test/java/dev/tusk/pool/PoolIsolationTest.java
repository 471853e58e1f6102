package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a borrower leaves behind, the next borrower of the same pool (maxSize 1: the same backend, or a
 * replacement) sees a clean session: no transaction, no pipeline, no LISTEN, GUCs at their defaults, no
 * temporary table, no prepared statement, no advisory lock, no open cursor, and the connection options'
 * client-side settings. Or another backend, when the dirty connection could not be reset and was closed.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolIsolationTest {

    /** What a borrower can leave dirty. */
    enum Dirt {
        OPEN_TRANSACTION, OPEN_PIPELINE, COPY_FROM_IN_PROGRESS, COPY_TO_IN_PROGRESS, SERVER_CURSOR, LISTEN, SESSION_GUC,
        TEMP_TABLE, USER_PREPARED_STATEMENT, ADVISORY_LOCK, RUNNING_STATEMENT, UNFINISHED_STREAM, CLIENT_SETTINGS
    }

    /** The state a borrower can observe, as one string. */
    private static final String FINGERPRINT = "SELECT concat_ws(' | ',"
            + " 'listen=' || (SELECT count(*) FROM pg_listening_channels()),"
            + " 'gucs=' || coalesce((SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings"
            + "     WHERE source = 'session'), ''),"
            + " 'prepared=' || (SELECT count(*) FROM pg_prepared_statements WHERE from_sql),"
            + " 'advisory=' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),"
            + " 'cursors=' || (SELECT count(*) FROM pg_cursors),"
            + " 'temp=' || (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()))";

    private static ConnectionPool<Row> pool(TestDatabase db) {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo() + " application_name=isolation")
                .minSize(1).maxSize(1).timeout(Duration.ofSeconds(20)).open(true).build();
        pool.waitReady(Duration.ofSeconds(20));
        return pool;
    }

    private static String fingerprint(Connection<Row> c) {
        String f = c.execute(FINGERPRINT).fetchone().getString(0);
        c.rollback();
        return f;
    }

    // trust #14 (an open pipeline) and the pool isolation class of the trust issue
    @ParameterizedTest
    @EnumSource(Dirt.class)
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theNextBorrowerSeesACleanSession(Dirt dirt, TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS isolation_t (id int)");
        db.admin("TRUNCATE isolation_t");
        try (ConnectionPool<Row> pool = pool(db)) {
            String clean;
            int firstPid;
            try (Connection<Row> c = pool.connection()) {
                clean = fingerprint(c);
                firstPid = c.info().backendPid();
            }
            Connection<Row> a = pool.connection();
            assertThat(a.info().backendPid()).isEqualTo(firstPid);
            Thread running = dirty(dirt, a, db);
            long t0 = System.nanoTime();
            a.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("close() never waits for the server")
                    .isLessThan(Duration.ofSeconds(5));
            if (running != null) {
                running.join(10_000);
                assertThat(running.isAlive()).isFalse();
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                assertThat(b.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
                assertThat(b.autocommit()).isFalse();
                assertThat(b.statementTimeout()).isNull();
                assertThat(b.notifies()).isEmpty();
                assertThat(fingerprint(b)).as("session state after %s", dirt).isEqualTo(clean);
                b.execute("INSERT INTO isolation_t VALUES (100)");
                b.commit(); // commits b's own work only
            }
            assertThat(db.adminQuery("SELECT string_agg(id::text, ',') FROM isolation_t")).as("only b's row").isEqualTo("100");
        }
    }

    /** Leaves {@code a} dirty; returns a thread still running a statement on it, if any. */
    private static Thread dirty(Dirt dirt, Connection<Row> a, TestDatabase db) throws Exception {
        switch (dirt) {
            case OPEN_TRANSACTION -> a.execute("INSERT INTO isolation_t VALUES (1)");
            case OPEN_PIPELINE -> {
                a.pipeline();
                a.execute("INSERT INTO isolation_t VALUES (2)");
            }
            case COPY_FROM_IN_PROGRESS -> {
                var copy = a.cursor().copy("COPY isolation_t FROM STDIN");
                copy.writeRow(3);
            }
            case COPY_TO_IN_PROGRESS -> {
                var copy = a.cursor().copy("COPY (SELECT generate_series(1, 200000)) TO STDOUT");
                assertThat(copy.read()).isNotNull();
            }
            case SERVER_CURSOR -> {
                a.setAutocommit(true);
                a.execute("DECLARE held CURSOR WITH HOLD FOR SELECT generate_series(1, 10)");
            }
            case LISTEN -> {
                a.setAutocommit(true);
                a.execute("LISTEN isolation_channel");
                a.execute("NOTIFY isolation_channel, 'for a only'");
            }
            case SESSION_GUC -> {
                a.execute("SET work_mem = '7MB'");
                a.execute("SET search_path = pg_catalog");
                a.commit();
            }
            case TEMP_TABLE -> {
                a.execute("CREATE TEMP TABLE isolation_tmp (i int)");
                a.commit();
            }
            case USER_PREPARED_STATEMENT -> {
                a.execute("PREPARE user_statement AS SELECT 1");
                a.commit();
            }
            case ADVISORY_LOCK -> {
                a.execute("SELECT pg_advisory_lock(4242)");
                a.commit();
            }
            case RUNNING_STATEMENT -> {
                CountDownLatch started = new CountDownLatch(1);
                Thread t = new Thread(() -> {
                    started.countDown();
                    try {
                        a.execute("SELECT pg_sleep(30)");
                    } catch (RuntimeException expected) {
                        // the pool closed the connection under it
                    }
                });
                t.start();
                started.await();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!"1".equals(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'"))) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(10);
                }
                return t;
            }
            case UNFINISHED_STREAM -> {
                Stream<Row> rows = a.cursor().stream("SELECT generate_series(1, 200000)");
                Iterator<Row> it = rows.iterator();
                assertThat(it.next().getInt(0)).isEqualTo(1);
            }
            case CLIENT_SETTINGS -> {
                a.setAutocommit(true);
                a.setStatementTimeout(Duration.ofMillis(1));
            }
        }
        return null;
    }

    // trust #14: the exact reproduction from the issue
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anOpenPipelineDoesNotLeakIntoTheNextLease(TestDatabase db) {
        db.admin("CREATE TABLE IF NOT EXISTS isolation_p (id int)");
        db.admin("TRUNCATE isolation_p");
        try (ConnectionPool<Row> pool = pool(db)) {
            var c = pool.connection();
            c.pipeline();
            c.execute("INSERT INTO isolation_p VALUES (1)");
            c.close();
            try (var next = pool.connection()) {
                next.commit();
                assertThat(next.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
            }
            assertThat(db.adminQuery("SELECT count(*) FROM isolation_p")).isEqualTo("0");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLeaseThatRanNothingIsNotResetAndConfigureRunsAgainAfterAReset(TestDatabase db) {
        AtomicInteger configured = new AtomicInteger();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .configure(c -> {
                    configured.incrementAndGet();
                    c.execute("SET work_mem = '3MB'");
                    c.commit();
                }).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            for (int i = 0; i < 100; i++) {
                try (Connection<Row> c = pool.connection()) {
                    assertThat(c.isClosed()).isFalse();
                }
            }
            assertThat(configured.get()).as("no reset after leases that ran nothing").isEqualTo(1);
            try (Connection<Row> c = pool.connection()) {
                c.execute("SET work_mem = '9MB'");
                c.commit();
            }
            try (Connection<Row> c = pool.connection()) {
                assertThat(configured.get()).as("configure ran again after the reset").isEqualTo(2);
                assertThat(c.execute("SHOW work_mem").fetchone().getString(0)).as("configure's setting, again").isEqualTo("3MB");
                c.rollback();
            }
        }
    }

    // the same for the AsyncConnectionPool (trust #14 and the isolation class)
    @ParameterizedTest
    @EnumSource(value = Dirt.class, names = {"OPEN_TRANSACTION", "OPEN_PIPELINE", "LISTEN", "SESSION_GUC", "TEMP_TABLE",
            "USER_PREPARED_STATEMENT", "ADVISORY_LOCK", "RUNNING_STATEMENT", "CLIENT_SETTINGS"})
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theNextAsyncBorrowerSeesACleanSession(Dirt dirt, TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS isolation_a (id int)");
        db.admin("TRUNCATE isolation_a");
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(20)).build()) {
            pool.open();
            String clean;
            AsyncConnection<Row> first = pool.connection().get(20, TimeUnit.SECONDS);
            clean = first.execute(FINGERPRINT).thenApply(cur -> cur.fetchone().getString(0)).get(10, TimeUnit.SECONDS);
            first.rollback().get(10, TimeUnit.SECONDS);
            first.close();
            AsyncConnection<Row> a = pool.connection().get(20, TimeUnit.SECONDS);
            AtomicReference<CompletableFuture<?>> running = new AtomicReference<>();
            switch (dirt) {
                case OPEN_TRANSACTION -> a.execute("INSERT INTO isolation_a VALUES (1)").get(10, TimeUnit.SECONDS);
                case OPEN_PIPELINE -> {
                    a.pipeline();
                    a.execute("INSERT INTO isolation_a VALUES (2)");
                }
                case LISTEN -> {
                    a.setAutocommit(true).get(10, TimeUnit.SECONDS);
                    a.execute("LISTEN isolation_channel").get(10, TimeUnit.SECONDS);
                }
                case SESSION_GUC -> a.execute("SET work_mem = '7MB'").thenCompose(c -> a.commit()).get(10, TimeUnit.SECONDS);
                case TEMP_TABLE -> a.execute("CREATE TEMP TABLE isolation_tmp (i int)").thenCompose(c -> a.commit()).get(10, TimeUnit.SECONDS);
                case USER_PREPARED_STATEMENT -> a.execute("PREPARE user_statement AS SELECT 1").thenCompose(c -> a.commit())
                        .get(10, TimeUnit.SECONDS);
                case ADVISORY_LOCK -> a.execute("SELECT pg_advisory_lock(4243)").thenCompose(c -> a.commit()).get(10, TimeUnit.SECONDS);
                case RUNNING_STATEMENT -> running.set(a.execute("SELECT pg_sleep(30)"));
                case CLIENT_SETTINGS -> {
                    a.setAutocommit(true).get(10, TimeUnit.SECONDS);
                    a.setStatementTimeout(Duration.ofMillis(1));
                }
                default -> throw new AssertionError(dirt);
            }
            a.close();
            if (running.get() != null) {
                CompletableFuture<?> r = running.get();
                assertThat(r).failsWithin(Duration.ofSeconds(10));
            }
            AsyncConnection<Row> b = pool.connection().get(20, TimeUnit.SECONDS);
            assertThat(b.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(b.autocommit()).isFalse();
            assertThat(b.statementTimeout()).isNull();
            String seen = b.execute(FINGERPRINT).thenApply(cur -> cur.fetchone().getString(0)).get(10, TimeUnit.SECONDS);
            b.rollback().get(10, TimeUnit.SECONDS);
            assertThat(seen).as("session state after %s", dirt).isEqualTo(clean);
            b.execute("INSERT INTO isolation_a VALUES (100)").thenCompose(c -> b.commit()).get(10, TimeUnit.SECONDS);
            b.close();
            assertThat(db.adminQuery("SELECT string_agg(id::text, ',') FROM isolation_a")).as("only b's row").isEqualTo("100");
        }
    }
}
