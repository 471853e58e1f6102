package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.ConnectionInfo;
import dev.tusk.IsolationLevel;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.InterfaceException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Codecs;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An adversarial borrower against the next one (session 45's hunt), beyond what {@link PoolIsolationTest} covers:
 * identities (SET ROLE, SET SESSION AUTHORIZATION, set_config('role')), a transaction opened with SQL BEGIN behind
 * the driver's back, transaction characteristics and a read-only session default, the statements the driver
 * prepared while the borrower's names meant its own tables (its search_path, its role's "$user" schema, a temporary
 * table), and a ConnectionInfo kept after the lease. Found and fixed: the prepared statements (the next borrower's
 * transaction failed with "cached plan must not change result type"; the async pool forgot them all instead) and
 * the ConnectionInfo (it showed the next borrower's session).
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BorrowerIsolationTest {

    private static ConnectionPool<Row> pool(TestDatabase db) {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(20)).open(true).build();
        pool.waitReady(Duration.ofSeconds(20));
        return pool;
    }

    private static AsyncConnectionPool<Row> asyncPool(TestDatabase db) {
        AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(20)).build();
        pool.open();
        return pool;
    }

    /** What a test does with an async lease. */
    private interface AsyncLease {
        void run(AsyncConnection<Row> conn) throws Exception;
    }

    /** Runs {@code body} with a lease of {@code pool}, given back after it whatever happens. */
    private static void withLease(AsyncConnectionPool<Row> pool, AsyncLease body) throws Exception {
        AsyncConnection<Row> conn = pool.connection().get(20, TimeUnit.SECONDS);
        try {
            body.run(conn);
        } finally {
            conn.close();
        }
    }

    private static final String WHO = "SELECT current_user || '/' || session_user";

    @Test
    void setRoleAndSessionAuthorizationDoNotReachTheNextBorrower(TestDatabase db) {
        db.admin("DO $$BEGIN CREATE ROLE hunt_role NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$");
        db.admin("GRANT hunt_role TO CURRENT_USER");
        try (ConnectionPool<Row> pool = pool(db)) {
            String clean;
            try (Connection<Row> c = pool.connection()) {
                clean = c.execute(WHO).fetchone().getString(0);
                c.rollback();
            }
            for (String become : new String[] {"SET ROLE hunt_role", "SET SESSION AUTHORIZATION hunt_role",
                    "SELECT set_config('role', 'hunt_role', false)"}) {
                try (Connection<Row> a = pool.connection()) {
                    a.execute(become);
                    assertThat(a.execute(WHO).fetchone().getString(0)).as(become).startsWith("hunt_role/");
                    a.commit();
                }
                try (Connection<Row> b = pool.connection()) {
                    assertThat(b.execute(WHO).fetchone().getString(0)).as("after %s", become).isEqualTo(clean);
                    b.rollback();
                }
            }
        }
    }

    @Test
    void aTransactionOpenedWithSqlBeginInAutocommitIsRolledBack(TestDatabase db) {
        db.admin("CREATE TABLE IF NOT EXISTS hunt_begin (id int)");
        db.admin("TRUNCATE hunt_begin");
        try (ConnectionPool<Row> pool = pool(db)) {
            try (Connection<Row> a = pool.connection()) {
                a.setAutocommit(true);
                a.execute("BEGIN");
                a.execute("INSERT INTO hunt_begin VALUES (1)");
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                b.setAutocommit(true);
                b.execute("INSERT INTO hunt_begin VALUES (2)");
            }
            assertThat(db.adminQuery("SELECT string_agg(id::text, ',') FROM hunt_begin")).isEqualTo("2");
        }
    }

    @Test
    void transactionCharacteristicsAndReadOnlyDefaultsDoNotReachTheNextBorrower(TestDatabase db) {
        db.admin("CREATE TABLE IF NOT EXISTS hunt_ro (id int)");
        try (ConnectionPool<Row> pool = pool(db)) {
            int pid;
            try (Connection<Row> a = pool.connection()) {
                pid = a.info().backendPid();
                a.setReadOnly(true);
                a.setIsolationLevel(IsolationLevel.SERIALIZABLE);
                a.setDeferrable(true);
                a.execute("SELECT 1");
                a.commit();
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.readOnly()).isNull();
                assertThat(b.isolationLevel()).isNull();
                assertThat(b.deferrable()).isNull();
                assertThat(b.execute("SELECT current_setting('transaction_read_only') || current_setting('transaction_isolation')")
                        .fetchone().getString(0)).isEqualTo("offread committed");
                b.rollback();
            }
            try (Connection<Row> a = pool.connection()) {
                a.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
                a.commit();
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.info().backendPid()).as("reset in place").isEqualTo(pid);
                b.execute("INSERT INTO hunt_ro VALUES (1)");
                b.commit();
            }
        }
    }

    /** How the borrower makes {@code hunt_sp} mean another table than the next borrower's {@code public.hunt_sp}. */
    enum Shadow { SEARCH_PATH, ROLE_SCHEMA, TEMP_TABLE }

    private static final String SHADOWED = "SELECT * FROM hunt_sp WHERE a IS DISTINCT FROM %s";

    private static void shadowTables(TestDatabase db) {
        db.admin("DO $$BEGIN CREATE ROLE hunt_tenant NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$");
        db.admin("GRANT hunt_tenant TO CURRENT_USER");
        db.admin("CREATE SCHEMA IF NOT EXISTS hunt_tenant AUTHORIZATION hunt_tenant");
        db.admin("CREATE TABLE IF NOT EXISTS hunt_tenant.hunt_sp (a int, b text)");
        db.admin("CREATE TABLE IF NOT EXISTS public.hunt_sp (a int)");
        db.admin("GRANT SELECT ON public.hunt_sp, hunt_tenant.hunt_sp TO hunt_tenant");
    }

    /** What the borrower runs to make {@code hunt_sp} name its own table. */
    private static String shadowing(Shadow how) {
        return switch (how) {
            case SEARCH_PATH -> "SET search_path = hunt_tenant, public";
            case ROLE_SCHEMA -> "SET ROLE hunt_tenant"; // the default search_path's "$user" is now hunt_tenant
            case TEMP_TABLE -> "CREATE TEMP TABLE hunt_sp (a int, b text, c text)"; // pg_temp comes first
        };
    }

    // a statement prepared for the borrower (8 runs: past the prepare threshold) names its own hunt_sp; after the
    // reset the next borrower's same statement means public.hunt_sp, whose result type differs: the server refused
    // the plan ("cached plan must not change result type") and failed the next borrower's transaction
    @ParameterizedTest
    @EnumSource(Shadow.class)
    void statementsPreparedForTheBorrowersTablesDoNotFailTheNextBorrower(Shadow how, TestDatabase db) {
        shadowTables(db);
        try (ConnectionPool<Row> pool = pool(db)) {
            int pid;
            try (Connection<Row> a = pool.connection()) {
                pid = a.info().backendPid();
                a.setAutocommit(true);
                a.execute(shadowing(how));
                for (int i = 0; i < 8; i++) {
                    assertThat(a.execute(SHADOWED, 0).description()).hasSizeGreaterThan(1);
                }
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.info().backendPid()).as("reset in place").isEqualTo(pid);
                b.execute("SELECT 1"); // b's transaction has begun: the next statement is not its first, and not retried
                assertThat(b.execute(SHADOWED, 0).description()).hasSize(1);
                b.commit();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Shadow.class)
    void statementsPreparedForAnAsyncBorrowersTablesDoNotFailTheNextBorrower(Shadow how, TestDatabase db) throws Exception {
        shadowTables(db);
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            withLease(pool, a -> {
                a.setAutocommit(true).get(10, TimeUnit.SECONDS);
                a.execute(shadowing(how)).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 8; i++) {
                    assertThat(a.execute(SHADOWED, 0).get(10, TimeUnit.SECONDS).description()).hasSizeGreaterThan(1);
                }
            });
            withLease(pool, b -> {
                b.execute("SELECT 1").get(10, TimeUnit.SECONDS);
                assertThat(b.execute(SHADOWED, 0).get(10, TimeUnit.SECONDS).description()).hasSize(1);
                b.commit().get(10, TimeUnit.SECONDS);
            });
        }
    }

    // the reset keeps the driver's own prepared statements when nothing says they name other tables now (as
    // PooledPreparedStatementsTest shows for the blocking pool): the async pool's reset went through the rule for a
    // user's DISCARD and forgot them all after every lease that ran a statement
    @Test
    void theAsyncPoolsResetKeepsTheDriversPreparedStatements(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            withLease(pool, a -> {
                a.setAutocommit(true).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 8; i++) {
                    a.execute("SELECT %s::int", i).get(10, TimeUnit.SECONDS);
                }
                a.execute("SET work_mem = '7MB'").get(10, TimeUnit.SECONDS);
            });
            withLease(pool, b -> {
                b.execute("SELECT %s::int", 1).get(10, TimeUnit.SECONDS); // sends the Closes of forgotten statements
                assertThat(b.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")
                        .get(10, TimeUnit.SECONDS).fetchone().getLong(0)).isEqualTo(1);
                b.rollback().get(10, TimeUnit.SECONDS);
            });
        }
    }

    @Test
    void anAsyncBorrowersRoleDoesNotReachTheNextBorrower(TestDatabase db) throws Exception {
        db.admin("DO $$BEGIN CREATE ROLE hunt_role NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$");
        db.admin("GRANT hunt_role TO CURRENT_USER");
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            String[] clean = new String[1];
            withLease(pool, a -> {
                clean[0] = a.execute(WHO).get(10, TimeUnit.SECONDS).fetchone().getString(0);
                a.execute("SET ROLE hunt_role").thenCompose(c -> a.commit()).get(10, TimeUnit.SECONDS);
            });
            withLease(pool, b -> {
                assertThat(b.execute(WHO).get(10, TimeUnit.SECONDS).fetchone().getString(0)).isEqualTo(clean[0]);
                b.rollback().get(10, TimeUnit.SECONDS);
            });
        }
    }

    // a ConnectionInfo taken from a lease and kept after it ended showed the next borrower's live session (its
    // transaction status, its SET application_name...): it now refuses every call, as the lease itself does
    @Test
    void aConnectionInfoKeptAfterTheLeaseNeverShowsTheNextBorrowersSession(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            ConnectionInfo kept = a.info();
            assertThat(kept.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            a.close();
            try (Connection<Row> b = pool.connection()) {
                b.execute("SET application_name = 'b-only'");
                assertThat(b.info().parameterStatus("application_name")).isEqualTo("b-only");
                assertThatThrownBy(kept::transactionStatus).isInstanceOf(InterfaceException.class);
                assertThatThrownBy(() -> kept.parameterStatus("application_name")).isInstanceOf(InterfaceException.class);
                b.rollback();
            }
        }
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            ConnectionInfo[] kept = new ConnectionInfo[1];
            withLease(pool, a -> kept[0] = a.info());
            withLease(pool, b -> {
                b.execute("SET application_name = 'b-only'").get(10, TimeUnit.SECONDS);
                assertThatThrownBy(kept[0]::transactionStatus).isInstanceOf(InterfaceException.class);
                assertThatThrownBy(() -> kept[0].parameterStatus("application_name")).isInstanceOf(InterfaceException.class);
                b.rollback().get(10, TimeUnit.SECONDS);
            });
        }
    }
    /** Loads every text as {@code word}, in both formats. */
    private static void loadTextAs(AdaptersMap adapters, String word) {
        adapters.registerLoader("text", Codecs.textLoader(s -> word));
        adapters.registerLoader("text", Codecs.binaryLoader(b -> word));
    }

    // a borrower who kept its lease's AdaptersMap after giving the lease back registered a loader on the pooled
    // connection's own map, which the next borrower's statements read with: its text came back as the loader's word
    @Test
    void anAdaptersMapKeptAfterTheLeaseNeverChangesTheNextBorrowersValues(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            AdaptersMap kept = a.adapters();
            a.close();
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.execute("SELECT 'x'::text").fetchone().get(0)).isEqualTo("x");
                loadTextAs(kept, "STALE");
                assertThat(b.execute("SELECT 'x'::text").fetchone().get(0)).as("B's text after A's stale registration")
                        .isEqualTo("x");
                assertThat(b.cursor().execute("SELECT 'y'::text").fetchone().get(0)).isEqualTo("y");
                b.rollback();
            }
        }
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AdaptersMap[] kept = new AdaptersMap[1];
            withLease(pool, a -> kept[0] = a.adapters());
            withLease(pool, b -> {
                loadTextAs(kept[0], "STALE");
                assertThat(b.execute("SELECT 'x'::text").get(10, TimeUnit.SECONDS).fetchone().get(0))
                        .as("async B's text after A's stale registration").isEqualTo("x");
                b.rollback().get(10, TimeUnit.SECONDS);
            });
        }
    }

    // the lease's registrations are its own: its statements read with them, the next borrower (on the same
    // connection, now kept: nothing of the lease's is left on it) never does
    @Test
    void aLeasesAdaptersServeItsOwnStatementsOnly(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            int pid;
            try (Connection<Row> a = pool.connection()) {
                pid = a.info().backendPid();
                assertThat(a.execute("SELECT 'x'::text").fetchone().get(0)).isEqualTo("x");
                loadTextAs(a.adapters(), "MINE");
                assertThat(a.execute("SELECT 'x'::text").fetchone().get(0)).isEqualTo("MINE");
                assertThat(a.cursor().execute("SELECT 'x'::text").fetchone().get(0)).isEqualTo("MINE");
                a.rollback();
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.info().backendPid()).as("the connection was kept").isEqualTo(pid);
                assertThat(b.execute("SELECT 'x'::text").fetchone().get(0)).isEqualTo("x");
                assertThat(b.adapters().loaderFor(b.adapters().oidOf("text"), Format.TEXT).load(
                        ByteBuffer.wrap("z".getBytes(StandardCharsets.UTF_8)))).isEqualTo("z");
                b.rollback();
            }
        }
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            withLease(pool, a -> {
                loadTextAs(a.adapters(), "MINE");
                assertThat(a.execute("SELECT 'x'::text").get(10, TimeUnit.SECONDS).fetchone().get(0)).isEqualTo("MINE");
                a.rollback().get(10, TimeUnit.SECONDS);
            });
            withLease(pool, b -> {
                assertThat(b.execute("SELECT 'x'::text").get(10, TimeUnit.SECONDS).fetchone().get(0))
                        .as("async B's text").isEqualTo("x");
                b.rollback().get(10, TimeUnit.SECONDS);
            });
        }
    }
}
