package dev.tusk.jdbc;

import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JDBC core over a real server: statements, parameters, results, transactions, errors. */
@TuskTest
@Timeout(60)
class JdbcCoreTest {
    private static Connection connect(TestDatabase db) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(db));
    }

    @Test
    void autocommitIsOnByDefaultAndTheSessionIsTusksOwn(TestDatabase db) throws SQLException {
        try (Connection c = connect(db)) {
            assertThat(c.getAutoCommit()).isTrue();
            dev.tusk.Connection<?> tusk = c.unwrap(dev.tusk.Connection.class);
            assertThat(tusk.autocommit()).isTrue();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(tusk.info().backendPid());
            }
            // autocommit: a row inserted through JDBC is visible to another session at once
            c.createStatement().execute("CREATE TABLE ac (id int)");
            c.createStatement().executeUpdate("INSERT INTO ac VALUES (1)");
            assertThat(db.adminQuery("SELECT count(*) FROM ac")).isEqualTo("1");
        }
    }

    @Test
    void preparedStatementParametersOfEveryKindRoundTrip(TestDatabase db) throws SQLException {
        try (Connection c = connect(db);
             PreparedStatement ps = c.prepareStatement("SELECT ?::int2, ?::int4, ?::int8, ?::float4, ?::float8, ?::numeric, "
                     + "?::text, ?::bool, ?::bytea, ?::uuid, ?::int4, ?::text, '?' AS q")) {
            UUID u = UUID.randomUUID();
            ps.setShort(1, (short) 7);
            ps.setInt(2, 42);
            ps.setLong(3, 1L << 40);
            ps.setFloat(4, 1.5f);
            ps.setDouble(5, 2.25);
            ps.setBigDecimal(6, new BigDecimal("12345.678"));
            ps.setString(7, "héllo");
            ps.setBoolean(8, true);
            ps.setBytes(9, new byte[] {1, 2, (byte) 0xff});
            ps.setObject(10, u);
            ps.setNull(11, Types.INTEGER);
            ps.setObject(12, null);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getShort(1)).isEqualTo((short) 7);
                assertThat(rs.getObject(1)).isEqualTo(7); // JDBC: SMALLINT is an Integer
                assertThat(rs.getInt(2)).isEqualTo(42);
                assertThat(rs.getLong(3)).isEqualTo(1L << 40);
                assertThat(rs.getFloat(4)).isEqualTo(1.5f);
                assertThat(rs.getDouble(5)).isEqualTo(2.25);
                assertThat(rs.getBigDecimal(6)).isEqualByComparingTo("12345.678");
                assertThat(rs.getString(7)).isEqualTo("héllo");
                assertThat(rs.getBoolean(8)).isTrue();
                assertThat(rs.getBytes(9)).containsExactly(1, 2, 0xff);
                assertThat(rs.getObject(10)).isEqualTo(u);
                assertThat(rs.getObject(10, UUID.class)).isEqualTo(u);
                assertThat(rs.getInt(11)).isZero();
                assertThat(rs.wasNull()).isTrue();
                assertThat(rs.getString(12)).isNull();
                assertThat(rs.getString("q")).isEqualTo("?");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void setNullCarriesTheSqlTypeSoTheServerCanResolveIt(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement("SELECT pg_typeof(?)::text, pg_typeof(?)::text")) {
            ps.setNull(1, Types.BIGINT);
            ps.setNull(2, Types.TIMESTAMP);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("bigint");
                assertThat(rs.getString(2)).isEqualTo("timestamp without time zone");
            }
        }
    }

    @Test
    void resultSetMetaDataDescribesColumns(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE meta (id bigserial PRIMARY KEY, name varchar(40) NOT NULL, price numeric(10,2), seen timestamptz)");
            try (ResultSet rs = st.executeQuery("SELECT id, name, price, seen, 1 AS one FROM meta")) {
                ResultSetMetaData md = rs.getMetaData();
                assertThat(md.getColumnCount()).isEqualTo(5);
                assertThat(md.getColumnLabel(2)).isEqualTo("name");
                assertThat(md.getColumnType(1)).isEqualTo(Types.BIGINT);
                assertThat(md.getColumnTypeName(1)).isEqualTo("bigserial");
                assertThat(md.isAutoIncrement(1)).isTrue();
                assertThat(md.getColumnType(2)).isEqualTo(Types.VARCHAR);
                assertThat(md.getPrecision(2)).isEqualTo(40);
                assertThat(md.isNullable(2)).isEqualTo(ResultSetMetaData.columnNoNulls);
                assertThat(md.getColumnType(3)).isEqualTo(Types.NUMERIC);
                assertThat(md.getPrecision(3)).isEqualTo(10);
                assertThat(md.getScale(3)).isEqualTo(2);
                assertThat(md.getColumnType(4)).isEqualTo(Types.TIMESTAMP);
                assertThat(md.getColumnTypeName(4)).isEqualTo("timestamptz");
                assertThat(md.getTableName(2)).isEqualTo("meta");
                assertThat(md.getTableName(5)).isEmpty();
                assertThat(md.getColumnClassName(3)).isEqualTo("java.math.BigDecimal");
            }
        }
    }

    @Test
    void errorsCarryTheServersSqlstateAndTheJdbc4Subclass(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE uq (id int PRIMARY KEY)");
            st.execute("INSERT INTO uq VALUES (1)");
            assertThatThrownBy(() -> st.execute("INSERT INTO uq VALUES (1)"))
                    .isInstanceOf(SQLIntegrityConstraintViolationException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"))
                    .hasCauseInstanceOf(dev.tusk.errors.TuskException.class);
            assertThatThrownBy(() -> st.execute("SELEC 1"))
                    .isInstanceOf(SQLSyntaxErrorException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42601"));
            assertThatThrownBy(() -> st.execute("SELECT 1/0"))
                    .isInstanceOf(java.sql.SQLDataException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22012"));
            // the connection is still fine afterwards (autocommit)
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void transactionsCommitRollbackAndSavepoints(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE tx (id int)");
            c.setAutoCommit(false);
            st.execute("INSERT INTO tx VALUES (1)");
            Savepoint sp = c.setSavepoint();
            st.execute("INSERT INTO tx VALUES (2)");
            c.rollback(sp);
            Savepoint named = c.setSavepoint("named");
            st.execute("INSERT INTO tx VALUES (3)");
            c.releaseSavepoint(named);
            assertThat(db.adminQuery("SELECT count(*) FROM tx")).isEqualTo("0"); // not committed yet
            c.commit();
            assertThat(db.adminQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM tx")).isEqualTo("1,3");
            st.execute("INSERT INTO tx VALUES (4)");
            c.rollback();
            assertThat(db.adminQuery("SELECT count(*) FROM tx")).isEqualTo("2");
            st.execute("INSERT INTO tx VALUES (5)");
            c.setAutoCommit(true); // JDBC: commits
            assertThat(db.adminQuery("SELECT count(*) FROM tx")).isEqualTo("3");
            assertThatThrownBy(c::commit).isInstanceOf(SQLException.class).hasMessageContaining("autocommit");
            assertThatThrownBy(c::setSavepoint).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void isolationAndReadOnly(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            try (ResultSet rs = st.executeQuery("SHOW transaction_isolation")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("serializable");
            }
            c.setAutoCommit(false);
            c.setReadOnly(true);
            assertThat(c.isReadOnly()).isTrue();
            assertThatThrownBy(() -> st.execute("CREATE TABLE ro (id int)"))
                    .isInstanceOf(SQLException.class).satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
            c.rollback();
        }
    }

    @Test
    void multipleResultsFromOneStatement(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            boolean rs = st.execute("CREATE TABLE mr (id int); INSERT INTO mr VALUES (1), (2); SELECT id FROM mr ORDER BY id");
            assertThat(rs).isFalse();
            assertThat(st.getUpdateCount()).isZero();
            assertThat(st.getMoreResults()).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(2);
            assertThat(st.getMoreResults()).isTrue();
            try (ResultSet r = st.getResultSet()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt("ID")).isEqualTo(1);
            }
            assertThat(st.getMoreResults()).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(-1);
        }
    }

    @Test
    void scrollableResultSetsAndMaxRows(TestDatabase db) throws SQLException {
        try (Connection c = connect(db);
             Statement st = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY)) {
            try (ResultSet rs = st.executeQuery("SELECT generate_series(1, 5)")) {
                assertThat(rs.last()).isTrue();
                assertThat(rs.getRow()).isEqualTo(5);
                assertThat(rs.absolute(2)).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.previous()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.relative(3)).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(4);
                rs.afterLast();
                assertThat(rs.isAfterLast()).isTrue();
            }
            st.setMaxRows(2);
            try (ResultSet rs = st.executeQuery("SELECT generate_series(1, 5)")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertThat(n).isEqualTo(2);
            }
        }
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT 1");
            assertThatThrownBy(rs::previous).isInstanceOf(SQLException.class).hasMessageContaining("scrollable");
            assertThatThrownBy(() -> c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE))
                    .isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
        }
    }

    @Test
    void aFetchSizeInATransactionStreamsThroughAServerCursor(TestDatabase db) throws SQLException {
        try (Connection c = connect(db)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT g FROM generate_series(1, ?) g")) {
                ps.setFetchSize(100);
                ps.setInt(1, 1000);
                try (ResultSet rs = ps.executeQuery()) {
                    long sum = 0;
                    int rows = 0;
                    while (rs.next()) {
                        sum += rs.getLong(1);
                        rows++;
                        if (rows == 150) { // a server-side cursor is open while we read
                            try (Statement other = c.createStatement();
                                 ResultSet cur = other.executeQuery("SELECT count(*) FROM pg_cursors WHERE name LIKE 'tusk_jdbc_%'")) {
                                cur.next();
                                assertThat(cur.getInt(1)).isEqualTo(1);
                            }
                        }
                    }
                    assertThat(rows).isEqualTo(1000);
                    assertThat(sum).isEqualTo(500500);
                }
            }
            c.commit();
        }
    }

    @Test
    void queryTimeoutAndCancel(TestDatabase db) throws Exception {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.setQueryTimeout(1);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> st.execute("SELECT pg_sleep(20)"))
                    .isInstanceOf(SQLTimeoutException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
            st.setQueryTimeout(0);
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                    st.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThatThrownBy(() -> st.execute("SELECT pg_sleep(20)"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            canceller.get();
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void arraysThroughCreateArrayOfAndGetArray(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement("SELECT ?::int4[], ?, array_length(?, 1)")) {
            Array a = c.createArrayOf("int4", new Integer[] {1, 2, null, 4});
            Array t = c.createArrayOf("text", new String[] {"a", "b,c", "\"q\""});
            ps.setArray(1, a);
            ps.setArray(2, t);
            ps.setArray(3, t);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat((Object[]) rs.getArray(1).getArray()).containsExactly(1, 2, null, 4);
                assertThat(rs.getArray(1).getBaseTypeName()).isEqualTo("int4");
                assertThat((Object[]) rs.getArray(2).getArray()).containsExactly("a", "b,c", "\"q\"");
                assertThat(rs.getObject(2)).isInstanceOf(Array.class);
                assertThat(rs.getInt(3)).isEqualTo(3);
            }
        }
    }

    @Test
    void jdbcEscapesAndPlaceholdersRunOnTheServer(TestDatabase db) throws SQLException {
        try (Connection c = connect(db);
             PreparedStatement ps = c.prepareStatement("SELECT {fn ucase(?)}, {d '2024-02-29'}, ? || '?' /* ? */")) {
            ps.setString(1, "abc");
            ps.setString(2, "x");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ABC");
                assertThat(rs.getDate(2).toLocalDate()).isEqualTo(java.time.LocalDate.of(2024, 2, 29));
                assertThat(rs.getString(3)).isEqualTo("x?");
            }
            assertThatThrownBy(() -> ps.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void closingTheConnectionClosesItsStatementsAndIsValidTellsTheTruth(TestDatabase db) throws SQLException {
        Connection c = connect(db);
        Statement st = c.createStatement();
        assertThat(c.isValid(2)).isTrue();
        c.close();
        assertThat(st.isClosed()).isTrue();
        assertThat(c.isClosed()).isTrue();
        assertThat(c.isValid(2)).isFalse();
        assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
    }

    @Test
    void schemaCatalogAndClientInfo(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            assertThat(c.getSchema()).isEqualTo("public");
            assertThat(c.getCatalog()).isEqualTo(db.dbname());
            st.execute("CREATE SCHEMA other");
            c.setSchema("other");
            assertThat(c.getSchema()).isEqualTo("other");
            c.setClientInfo("ApplicationName", "jdbc-test");
            assertThat(c.getClientInfo("ApplicationName")).isEqualTo("jdbc-test");
            try (ResultSet rs = st.executeQuery("SELECT current_setting('application_name')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("jdbc-test");
            }
            assertThatThrownBy(() -> c.setClientInfo("Nope", "x")).isInstanceOf(java.sql.SQLClientInfoException.class);
            assertThatThrownBy(() -> c.createBlob()).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
        }
    }

    @Test
    void serverNoticesBecomeWarningsOfTheStatement(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS no_such_table");
            java.sql.SQLWarning w = st.getWarnings();
            assertThat((Object) w).isNotNull();
            assertThat(w.getMessage()).contains("no_such_table").contains("does not exist");
            assertThat(w.getSQLState()).isEqualTo("00000");
            st.execute("SELECT 1");
            assertThat((Object) st.getWarnings()).isNull(); // each execution starts afresh
        }
    }

    @Test
    void theUrlsCurrentSchemaAndApplicationNameReachTheSession(TestDatabase db) throws SQLException {
        db.admin("CREATE SCHEMA s1");
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&currentSchema=s1&ApplicationName=from-url")) {
            assertThat(c.getSchema()).isEqualTo("s1");
            assertThat(c.getClientInfo("ApplicationName")).isEqualTo("from-url");
            Row r = c.unwrap(dev.tusk.Connection.class).execute("SELECT current_setting('TimeZone')").fetchone() instanceof Row row ? row : null;
            assertThat(r).isNotNull();
            assertThat(r.getString(0)).isEqualTo(java.util.TimeZone.getDefault().getID());
        }
    }
}
