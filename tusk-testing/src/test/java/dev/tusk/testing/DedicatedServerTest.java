package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Extra servers for one test, and the TUSK_TEST_DSN code path exercised against such a server. */
@TuskTest
class DedicatedServerTest {

    @Test
    void dedicatedServerIsSeparateConfigurableAndCleanedUp(PostgresServer shared) throws Exception {
        Path marker;
        Path base;
        try (EmbeddedPostgresServer dedicated = PostgresServer.dedicated(b -> b
                .setting("work_mem", "'1234kB'")
                .beforeStart(dataDir -> writeMarker(dataDir)))) {
            assertThat(dedicated.port()).isNotEqualTo(shared.port());
            marker = dedicated.dataDirectory().resolve("tusk-marker");
            base = dedicated.dataDirectory().getParent();
            assertThat(marker).exists();
            try (TestDatabase db = dedicated.createDatabase("dedicated")) {
                assertThat(db.adminQuery("SHOW work_mem")).isEqualTo("1234kB");
                assertThat(db.adminQuery("SHOW port")).isEqualTo(Integer.toString(dedicated.port()));
            }
        }
        assertThat(base).doesNotExist();
    }

    @Test
    void sharedServerCannotBeClosedByATest(PostgresServer shared) {
        if (shared instanceof EmbeddedPostgresServer) {
            assertThatThrownBy(((EmbeddedPostgresServer) shared)::close).hasMessageContaining("shutdown hook");
            assertThat(shared.isRunning()).isTrue();
        }
    }

    @Test
    void externalServerFromDsnUsesItAsIsAndRefusesToStopIt() {
        try (EmbeddedPostgresServer backing = PostgresServer.dedicated(b -> { })) {
            String dsn = "postgresql://postgres@127.0.0.1:" + backing.port() + "/postgres?application_name=dsn";
            ExternalPostgresServer external = new ExternalPostgresServer(dsn);
            assertThat(external.isEmbedded()).isFalse();
            assertThat(external.version()).isEqualTo(backing.version());
            try (TestDatabase db = external.createDatabase("external")) {
                assertThat(db.conninfo()).isEqualTo("host=127.0.0.1 port=" + backing.port() + " dbname=" + db.dbname()
                        + " user=postgres application_name=dsn");
                db.admin("SET ROLE tusk_md5; CREATE TABLE made_by_md5 (id int)");
                assertThat(db.adminQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_md5'"))
                        .isEqualTo("tusk_md5");
            }
            assertThatThrownBy(external::stop)
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("needs the embedded server");
            assertThatThrownBy(() -> external.appendConfig("x = 1")).isInstanceOf(UnsupportedOperationException.class);
            external.closeAdminConnection();
        }
    }

    private static void writeMarker(Path dataDir) {
        try {
            Files.writeString(dataDir.resolve("tusk-marker"), "before start");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
