package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ParameterMetaData tells the types the server infers for the parameters, with pgjdbc's answers. */
@TuskTest
@Timeout(60)
class ParameterMetaDataTest {
    private static final String INSERT = "INSERT INTO pm (i, t, ts, n, u, b, a, m) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String SELECT = "SELECT * FROM pm WHERE i = ? AND t = ? AND ts > ? AND n = ? AND u = ? AND b = ?"
            + " AND a = ? AND m = ?";

    /** Every answer of ParameterMetaData for every parameter, as text. */
    private static List<String> answers(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ParameterMetaData md = ps.getParameterMetaData();
            List<String> out = new ArrayList<>();
            out.add("count " + md.getParameterCount());
            for (int i = 1; i <= md.getParameterCount(); i++) {
                out.add(i + ": type " + md.getParameterType(i) + " name " + md.getParameterTypeName(i) + " class "
                        + md.getParameterClassName(i) + " signed " + md.isSigned(i) + " precision " + md.getPrecision(i)
                        + " scale " + md.getScale(i) + " nullable " + md.isNullable(i) + " mode " + md.getParameterMode(i));
            }
            return out;
        }
    }

    @Test
    void parameterTypesAreTheServersAndMatchPgjdbc(TestDatabase db) throws SQLException {
        try (Connection tusk = DriverManager.getConnection(Jdbc.url(db));
             Connection pg = DriverManager.getConnection(Jdbc.pgjdbcUrl(db))) {
            tusk.createStatement().execute("CREATE TYPE mood AS ENUM ('ok', 'sad')");
            tusk.createStatement().execute("CREATE TABLE pm (i int, t text, ts timestamptz, n numeric(10, 2), u uuid, b bytea,"
                    + " a int[], m mood)");
            List<String> insert = answers(tusk, INSERT);
            assertThat(insert).isEqualTo(answers(pg, INSERT));
            assertThat(answers(tusk, SELECT)).isEqualTo(answers(pg, SELECT));
            try (PreparedStatement ps = tusk.prepareStatement(INSERT)) {
                ParameterMetaData md = ps.getParameterMetaData();
                assertThat(md.getParameterCount()).isEqualTo(8);
                assertThat(md.getParameterType(1)).isEqualTo(Types.INTEGER);
                assertThat(md.getParameterTypeName(1)).isEqualTo("int4");
                assertThat(md.getParameterClassName(1)).isEqualTo("java.lang.Integer");
                assertThat(md.getParameterType(2)).isEqualTo(Types.VARCHAR);
                assertThat(md.getParameterTypeName(3)).isEqualTo("timestamptz");
                assertThat(md.getParameterType(3)).isEqualTo(Types.TIMESTAMP);
                assertThat(md.getParameterType(4)).isEqualTo(Types.NUMERIC);
                assertThat(md.getParameterClassName(4)).isEqualTo("java.math.BigDecimal");
                assertThat(md.getParameterTypeName(5)).isEqualTo("uuid");
                assertThat(md.getParameterType(6)).isEqualTo(Types.BINARY);
                assertThat(md.getParameterType(7)).isEqualTo(Types.ARRAY);
                assertThat(md.getParameterTypeName(8)).isEqualTo("mood");
                assertThatThrownBy(() -> md.getParameterType(9)).isInstanceOf(SQLException.class).hasMessageContaining("out of range");
                // the statement still runs, and nothing was left prepared on the server
                ps.setInt(1, 1);
                ps.setString(2, "x");
                ps.setObject(3, java.time.OffsetDateTime.now());
                ps.setBigDecimal(4, new java.math.BigDecimal("1.50"));
                ps.setObject(5, java.util.UUID.randomUUID());
                ps.setBytes(6, new byte[] {1});
                ps.setArray(7, tusk.createArrayOf("int4", new Integer[] {1, 2}));
                ps.setObject(8, "ok", Types.OTHER);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (var rs = tusk.createStatement().executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tusk_jdbc%'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void inATransactionTheDescriptionLeavesItGoing(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            c.createStatement().execute("CREATE TABLE kept (id int8)");
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("INSERT INTO kept VALUES (1)");
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM kept WHERE id = ?")) {
                assertThat(ps.getParameterMetaData().getParameterType(1)).isEqualTo(Types.BIGINT);
                ps.setLong(1, 1);
                try (var rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            c.commit();
            assertThat(db.adminQuery("SELECT count(*) FROM kept")).isEqualTo("1");
        }
    }

    @Test
    void aStatementWithoutParametersHasNone(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); PreparedStatement ps = c.prepareStatement("SELECT 1")) {
            assertThat(ps.getParameterMetaData().getParameterCount()).isZero();
        }
    }
}
