package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The password roles must authenticate with their pg_hba.conf methods; other roles are trusted. */
@TuskTest
class AuthenticationTest {

    @Test
    void superuserIsTrustedWithoutPassword(TestDatabase db) throws SQLException {
        assertThat(db.conninfo()).doesNotContain("password=");
        try (Connection c = connect(db, db.superuser(), null)) {
            assertThat(queryValue(c, "SELECT current_user")).isEqualTo(db.superuser());
        }
    }

    @Test
    void scramRoleNeedsItsPassword(TestDatabase db, PostgresServer server) throws SQLException {
        assumeTrue(server.isEmbedded(), "pg_hba.conf methods are only known on the embedded server");
        assertRejectsWrongAndMissingPasswords(db, db.scramUser());
        try (Connection c = connect(db, db.scramUser(), db.scramPassword())) {
            assertThat(queryValue(c, "SELECT current_user")).isEqualTo(db.scramUser());
        }
        assertThat(db.adminQuery("SELECT left(rolpassword, 13) FROM pg_authid WHERE rolname = '" + db.scramUser() + "'"))
                .isEqualTo("SCRAM-SHA-256");
    }

    @Test
    void md5RoleNeedsItsPasswordAndStoresAnMd5Hash(TestDatabase db, PostgresServer server) throws SQLException {
        assumeTrue(server.isEmbedded(), "pg_hba.conf methods are only known on the embedded server");
        assertRejectsWrongAndMissingPasswords(db, db.md5User());
        try (Connection c = connect(db, db.md5User(), db.md5Password())) {
            assertThat(queryValue(c, "SELECT current_user")).isEqualTo(db.md5User());
        }
        assertThat(db.adminQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + db.md5User() + "'"))
                .matches("md5[0-9a-f]{32}");
    }

    @Test
    void cleartextRoleNeedsItsPassword(TestDatabase db, PostgresServer server) throws SQLException {
        assumeTrue(server.isEmbedded(), "pg_hba.conf methods are only known on the embedded server");
        assertRejectsWrongAndMissingPasswords(db, db.cleartextUser());
        try (Connection c = connect(db, db.cleartextUser(), db.cleartextPassword())) {
            assertThat(queryValue(c, "SELECT current_user")).isEqualTo(db.cleartextUser());
        }
    }

    @Test
    void hbaUsesTheExpectedMethodPerRole(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        String methods = db.adminQuery("SELECT string_agg(DISTINCT user_name[1] || ':' || auth_method, ',' ORDER BY"
                + " user_name[1] || ':' || auth_method) FROM pg_hba_file_rules WHERE type = 'host'");
        assertThat(methods).contains("tusk_scram:scram-sha-256", "tusk_md5:md5", "tusk_password:password", "all:trust");
    }

    @Test
    void conninfoForAUserCarriesThePassword(TestDatabase db) {
        assertThat(db.conninfo(db.scramUser(), db.scramPassword()))
                .isEqualTo("host=" + db.host() + " port=" + db.port() + " dbname=" + db.dbname()
                        + " user=tusk_scram password=scram-Secret-1");
        assertThat(db.conninfo("x", "it's a secret"))
                .endsWith("user=x password='it\\'s a secret'");
    }

    private static void assertRejectsWrongAndMissingPasswords(TestDatabase db, String user) {
        assertThatThrownBy(() -> connect(db, user, "wrong").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> connect(db, user, null).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password");
    }

    static Connection connect(TestDatabase db, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.dbname(), props);
    }

    static String queryValue(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
