package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

@TuskTest
class ServerTest {

    @Test
    void embeddedSettings(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        assertThat(db.adminQuery("SHOW max_prepared_transactions")).isEqualTo("20");
        assertThat(db.adminQuery("SHOW max_connections")).isEqualTo("200");
        assertThat(db.adminQuery("SHOW fsync")).isEqualTo("off");
        assertThat(db.adminQuery("SHOW synchronous_commit")).isEqualTo("off");
        assertThat(db.adminQuery("SHOW full_page_writes")).isEqualTo("off");
        assertThat(db.adminQuery("SHOW password_encryption")).isEqualTo("scram-sha-256");
        assertThat(db.adminQuery("SHOW ssl")).isEqualTo("off");
        assertThat(db.adminQuery("SHOW listen_addresses")).isEqualTo("127.0.0.1");
    }

    @Test
    void versionMatchesTheServer(TestDatabase db, PostgresServer server) {
        assertThat(server.version()).isEqualTo(Integer.parseInt(db.adminQuery("SHOW server_version_num")));
        assertThat(server.version()).isGreaterThanOrEqualTo(140000);
    }

    @Test
    void stopAndStartKeepThePortAndTheData(TestDatabase db, PostgresServer server) throws SQLException {
        assumeTrue(server.isEmbedded());
        db.admin("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
        int port = server.port();

        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> AuthenticationTest.connect(db, db.superuser(), null).close())
                .isInstanceOf(SQLException.class);

        server.start();
        assertThat(server.port()).isEqualTo(port);
        try (Connection c = AuthenticationTest.connect(db, db.superuser(), null)) {
            assertThat(AuthenticationTest.queryValue(c, "SELECT v FROM kept")).isEqualTo("still here");
        }
    }

    @Test
    void immediateStopThenRestartRecovers(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        // synchronous_commit is off on the embedded server: a commit reaches the WAL file up to 200 ms later, and
        // an immediate stop loses what had not. Commit synchronously what must survive.
        db.admin("SET synchronous_commit = on; CREATE TABLE survived (id int); INSERT INTO survived VALUES (42)");
        server.stop(PostgresServer.StopMode.IMMEDIATE);
        server.start();
        assertThat(db.adminQuery("SELECT id FROM survived")).isEqualTo("42");
    }

    @Test
    void leavingTheServerStoppedIsRepairedForTheNextTest(PostgresServer server) {
        assumeTrue(server.isEmbedded());
        server.stop();
        SharedServer.afterTest();
        assertThat(server.isRunning()).isTrue();
    }

    @Test
    void appendedConfigTakesEffectOnReloadAndIsUndoneAfterTheTest(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        String before = db.adminQuery("SHOW work_mem");
        server.appendConfig("work_mem = '7777kB'");
        server.reloadConfig();
        assertThat(db.adminQuery("SHOW work_mem")).isEqualTo("7777kB");

        SharedServer.afterTest();
        assertThat(db.adminQuery("SHOW work_mem")).isEqualTo(before);
    }

    @Test
    void appendedHbaLinePrecedesTheTrustRules(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        db.admin("CREATE ROLE tusk_rejected LOGIN");
        try {
            server.appendHba("host all tusk_rejected 127.0.0.1/32 reject");
            server.reloadConfig();
            assertThatThrownBy(() -> AuthenticationTest.connect(db, "tusk_rejected", null).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("rejects connection");
            SharedServer.afterTest();
            assertThat(db.adminQuery("SELECT count(*) FROM pg_hba_file_rules WHERE 'tusk_rejected' = ANY(user_name)"))
                    .isEqualTo("0");
        } finally {
            server.admin("DROP ROLE tusk_rejected");
        }
    }

    @Test
    void restartOnlySettingIsUndoneWithARestart(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        server.appendConfig("max_prepared_transactions = 5");
        server.restart();
        assertThat(db.adminQuery("SHOW max_prepared_transactions")).isEqualTo("5");
        SharedServer.afterTest();
        assertThat(db.adminQuery("SHOW max_prepared_transactions")).isEqualTo("20");
    }

    @Test
    void logFileAndUnixSocketExist(PostgresServer server) throws Exception {
        assumeTrue(server.isEmbedded());
        assertThat(Files.readString(server.logFile())).contains("database system is ready to accept connections");
        assertThat(server.unixSocketDirectory().resolve(".s.PGSQL." + server.port())).exists();
    }

    @Test
    void unixSocketConninfoNamesTheSocketDirectory(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        assertThat(db.unixSocketConninfo()).isEqualTo("host=" + server.unixSocketDirectory() + " port=" + db.port()
                + " dbname=" + db.dbname() + " user=postgres");
    }

    @Test
    void uriAndConninfoDescribeTheSameConnection(TestDatabase db) {
        assertThat(db.conninfo()).isEqualTo("host=127.0.0.1 port=" + db.port() + " dbname=" + db.dbname()
                + " user=" + db.superuser());
        assertThat(Conninfo.parse(db.uri())).isEqualTo(Conninfo.parse(db.conninfo()));
    }

    @Test
    void closedDatabaseIsDropped(PostgresServer server) {
        TestDatabase extra = server.createDatabase("extra");
        String name = extra.dbname();
        extra.close();
        try (TestDatabase probe = server.createDatabase("probe")) {
            assertThat(probe.adminQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")).isEqualTo("0");
        }
    }
}
