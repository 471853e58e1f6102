package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pgjdbc cannot use unix sockets and the served binaries hold no psql, so these tests drive the system's psql
 * (any libpq 10+ speaks SCRAM) through the socket, and are skipped where there is none.
 */
@TuskTest
class UnixSocketTest {

    private static final Path PSQL = Path.of("/usr/bin/psql");

    @BeforeEach
    void needsPsql() {
        assumeTrue(Files.isExecutable(PSQL), "no " + PSQL);
    }

    @Test
    void superuserIsTrustedOverTheSocket(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        assertThat(psql(db.unixSocketConninfo(), server, "SELECT current_user || '@' || current_database()"))
                .isEqualTo(db.superuser() + "@" + db.dbname());
    }

    @Test
    void passwordRolesNeedTheirPasswordsOverTheSocket(TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded());
        String socket = server.unixSocketDirectory().toString();
        String base = "host=" + socket + " port=" + db.port() + " dbname=" + db.dbname();
        String[][] roles = {
                {db.scramUser(), db.scramPassword()},
                {db.md5User(), db.md5Password()},
                {db.cleartextUser(), db.cleartextPassword()}};
        for (String[] role : roles) {
            assertThat(psql(base + " user=" + role[0] + " password=" + role[1], server, "SELECT current_user"))
                    .isEqualTo(role[0]);
            assertThatThrownBy(() -> psql(base + " user=" + role[0] + " password=wrong", server, "SELECT 1"))
                    .hasMessageContaining("password authentication failed for user \"" + role[0] + "\"");
        }
    }

    private static String psql(String conninfo, PostgresServer server, String sql) {
        return Tools.run(List.of(PSQL.toString(), "-X", "-w", "-tA", "-d", conninfo, "-c", sql),
                server.dataDirectory().getParent(), "psql").strip();
    }
}
