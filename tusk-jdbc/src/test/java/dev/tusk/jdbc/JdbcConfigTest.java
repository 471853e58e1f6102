package dev.tusk.jdbc;

import dev.tusk.jdbc.internal.JdbcConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** URL and property parsing: no server needed. */
@Timeout(30)
class JdbcConfigTest {
    private static String conninfo(String url) throws SQLException {
        return JdbcConfig.parse(url, new Properties()).conninfo();
    }

    @Test
    void hostPortDatabaseAndUserBecomeLibpqKeywords() throws SQLException {
        String c = conninfo("jdbc:tusk:postgresql://db.example:6543/sales?user=app&password=s3cret");
        assertThat(c).contains("host=db.example").contains("port=6543").contains("dbname=sales").contains("user=app")
                .contains("password=s3cret");
    }

    @Test
    void severalHostsAndIpv6() throws SQLException {
        String c = conninfo("jdbc:tusk:postgresql://a:5432,[::1]:5433,b/db");
        assertThat(c).contains("host=a,::1,b").contains("port=5432,5433,");
    }

    @Test
    void pgjdbcNamesAndLibpqNamesAreBothAccepted() throws SQLException {
        String pgjdbc = conninfo("jdbc:tusk:postgresql://h/db?ApplicationName=billing&connectTimeout=7&sslmode=disable"
                + "&targetServerType=preferStandby");
        String libpq = conninfo("jdbc:tusk:postgresql://h/db?application_name=billing&connect_timeout=7&sslmode=disable"
                + "&target_session_attrs=prefer-standby");
        assertThat(pgjdbc).contains("application_name=billing", "connect_timeout=7", "sslmode=disable",
                "target_session_attrs=prefer-standby");
        assertThat(libpq).contains("application_name=billing", "connect_timeout=7", "sslmode=disable",
                "target_session_attrs=prefer-standby");
    }

    @Test
    void currentSchemaBecomesASearchPathOption() throws SQLException {
        assertThat(conninfo("jdbc:tusk:postgresql://h/db?currentSchema=app&options=-c%20work_mem%3D8MB"))
                .contains("-c work_mem=8MB").contains("-c search_path=app");
    }

    @Test
    void propertiesAreMergedAndTheUrlWins() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "fromProps");
        p.setProperty("ApplicationName", "props");
        String c = JdbcConfig.parse("jdbc:tusk:postgresql://h/db?ApplicationName=url", p).conninfo();
        assertThat(c).contains("user=fromProps").contains("application_name=url");
    }

    @Test
    void anUnknownPropertyIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> JdbcConfig.parse("jdbc:tusk:postgresql://h/db?sslmdoe=require", new Properties()))
                .isInstanceOf(SQLException.class).hasMessageContaining("\"sslmdoe\"");
        Properties p = new Properties();
        p.setProperty("frobnicate", "yes");
        assertThatThrownBy(() -> JdbcConfig.parse("jdbc:tusk:postgresql://h/db", p))
                .isInstanceOf(SQLException.class).hasMessageContaining("\"frobnicate\"");
    }

    @Test
    void aBadValueIsRefusedBeforeConnecting() {
        assertThatThrownBy(() -> conninfo("jdbc:tusk:postgresql://h/db?sslmode=sometimes"))
                .isInstanceOf(SQLException.class).hasMessageContaining("sslmode");
        assertThatThrownBy(() -> conninfo("jdbc:tusk:postgresql://h/db?targetServerType=preferPrimary"))
                .isInstanceOf(SQLException.class).hasMessageContaining("preferPrimary");
    }

    @Test
    void theDriverIsFoundByDriverManagerAndLeavesOtherUrlsAlone() throws SQLException {
        Driver d = DriverManager.getDriver("jdbc:tusk:postgresql://localhost/db");
        assertThat(d).isInstanceOf(TuskDriver.class);
        assertThat(d.acceptsURL("jdbc:postgresql://localhost/db")).isFalse();
        assertThat(d.connect("jdbc:postgresql://localhost/db", new Properties())).isNull();
    }
}
