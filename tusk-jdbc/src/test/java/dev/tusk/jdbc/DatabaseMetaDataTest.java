package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** DatabaseMetaData answered from the catalogs, compared where it matters with what pgjdbc answers. */
@TuskTest
@Timeout(120)
class DatabaseMetaDataTest {
    private TestDatabase db;

    @BeforeEach
    void schema(TestDatabase db) {
        this.db = db;
        db.admin("CREATE TABLE parent (id bigserial PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, price numeric(8,3),"
                + " seen timestamptz, flag boolean DEFAULT true, tags text[])");
        db.admin("CREATE TABLE child (id int GENERATED ALWAYS AS IDENTITY, parent_id bigint REFERENCES parent (id) ON DELETE CASCADE,"
                + " n int, PRIMARY KEY (id))");
        db.admin("CREATE INDEX child_n_desc ON child (n DESC)");
        db.admin("CREATE VIEW parent_view AS SELECT id, code FROM parent");
        db.admin("CREATE SEQUENCE lone_seq");
        db.admin("CREATE FUNCTION add_one(x int) RETURNS int AS 'SELECT x + 1' LANGUAGE sql");
        db.admin("CREATE PROCEDURE bump(INOUT v int) AS $$ BEGIN v := v + 1; END $$ LANGUAGE plpgsql");
    }

    private static List<String> column(ResultSet rs, String name) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getString(name));
            }
        }
        return out;
    }

    @Test
    void identityAndVersions() throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getDatabaseProductName()).isEqualTo("PostgreSQL");
            assertThat(md.getDatabaseMajorVersion()).isGreaterThanOrEqualTo(13);
            assertThat(md.getDatabaseProductVersion()).startsWith(md.getDatabaseMajorVersion() + ".");
            assertThat(md.getURL()).isEqualTo(Jdbc.url(db));
            assertThat(md.getUserName()).isEqualTo(db.superuser());
            assertThat(md.getIdentifierQuoteString()).isEqualTo("\"");
            assertThat(md.storesLowerCaseIdentifiers()).isTrue();
            assertThat(md.supportsGetGeneratedKeys()).isTrue();
            assertThat(md.supportsBatchUpdates()).isTrue();
            assertThat(md.supportsSavepoints()).isTrue();
            assertThat(md.getJDBCMajorVersion()).isEqualTo(4);
            assertThat(md.getSQLKeywords()).contains("returning");
            assertThat(md.supportsResultSetType(ResultSet.TYPE_SCROLL_INSENSITIVE)).isTrue();
            assertThat(md.supportsResultSetConcurrency(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE)).isFalse();
        }
    }

    @Test
    void tablesColumnsAndKeysAsPgjdbcReportsThem() throws SQLException {
        try (Connection tusk = DriverManager.getConnection(Jdbc.url(db));
             Connection pg = DriverManager.getConnection(Jdbc.pgjdbcUrl(db))) {
            DatabaseMetaData t = tusk.getMetaData();
            DatabaseMetaData p = pg.getMetaData();
            assertThat(column(t.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"}), "TABLE_NAME"))
                    .containsExactlyElementsOf(column(p.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"}), "TABLE_NAME"))
                    .contains("parent", "child", "parent_view");
            assertThat(column(t.getTables(null, "public", "lone%", null), "TABLE_TYPE")).containsExactly("SEQUENCE");
            for (String col : new String[] {"COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE",
                    "IS_NULLABLE", "IS_AUTOINCREMENT", "ORDINAL_POSITION", "COLUMN_DEF"}) {
                assertThat(column(t.getColumns(null, "public", "parent", null), col)).as(col)
                        .containsExactlyElementsOf(column(p.getColumns(null, "public", "parent", null), col));
            }
            try (ResultSet rs = t.getColumns(null, "public", "parent", "tags")) {
                rs.next();
                assertThat(rs.getInt("DATA_TYPE")).isEqualTo(Types.ARRAY);
            }
            assertThat(column(t.getPrimaryKeys(null, "public", "child"), "COLUMN_NAME"))
                    .containsExactlyElementsOf(column(p.getPrimaryKeys(null, "public", "child"), "COLUMN_NAME"));
            for (String col : new String[] {"PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ",
                    "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "DEFERRABILITY"}) {
                assertThat(column(t.getImportedKeys(null, "public", "child"), col)).as(col)
                        .containsExactlyElementsOf(column(p.getImportedKeys(null, "public", "child"), col));
                assertThat(column(t.getExportedKeys(null, "public", "parent"), col)).as(col)
                        .containsExactlyElementsOf(column(p.getExportedKeys(null, "public", "parent"), col));
            }
            assertThat(column(t.getCrossReference(null, "public", "parent", null, "public", "child"), "FKCOLUMN_NAME"))
                    .containsExactly("parent_id");
            for (String col : new String[] {"INDEX_NAME", "NON_UNIQUE", "COLUMN_NAME", "ORDINAL_POSITION", "ASC_OR_DESC"}) {
                assertThat(column(t.getIndexInfo(null, "public", "child", false, true), col)).as(col)
                        .containsExactlyElementsOf(column(p.getIndexInfo(null, "public", "child", false, true), col));
            }
            assertThat(column(t.getIndexInfo(null, "public", "parent", true, true), "INDEX_NAME"))
                    .containsExactlyInAnyOrder("parent_pkey", "parent_code_key");
        }
    }

    @Test
    void schemasTypesAndRoutines() throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(column(md.getSchemas(), "TABLE_SCHEM")).contains("public", "information_schema", "pg_catalog");
            assertThat(column(md.getSchemas(null, "pub%"), "TABLE_SCHEM")).containsExactly("public");
            assertThat(column(md.getCatalogs(), "TABLE_CAT")).contains(db.dbname());
            assertThat(column(md.getTableTypes(), "TABLE_TYPE")).contains("TABLE", "VIEW", "SEQUENCE");
            List<String> types = new ArrayList<>();
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) {
                    types.add(rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE"));
                }
            }
            assertThat(types).contains("int4:" + Types.INTEGER, "int8:" + Types.BIGINT, "varchar:" + Types.VARCHAR,
                    "bool:" + Types.BIT, "numeric:" + Types.NUMERIC, "timestamptz:" + Types.TIMESTAMP);
            assertThat(column(md.getFunctions(null, "public", "add_one"), "FUNCTION_NAME")).containsExactly("add_one");
            assertThat(column(md.getProcedures(null, "public", "%"), "PROCEDURE_NAME")).contains("add_one", "bump");
            try (ResultSet rs = md.getProcedureColumns(null, "public", "bump", null)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("COLUMN_NAME")).isEqualTo("v");
                assertThat(rs.getInt("COLUMN_TYPE")).isEqualTo(DatabaseMetaData.procedureColumnInOut);
                assertThat(rs.getInt("DATA_TYPE")).isEqualTo(Types.INTEGER);
            }
            assertThat(column(md.getFunctionColumns(null, "public", "add_one", null), "COLUMN_NAME")).contains("x");
            assertThat(column(md.getBestRowIdentifier(null, "public", "parent", DatabaseMetaData.bestRowSession, false),
                    "COLUMN_NAME")).containsExactly("id");
        }
    }
}
