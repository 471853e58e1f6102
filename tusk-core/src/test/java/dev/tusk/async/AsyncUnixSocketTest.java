package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class AsyncUnixSocketTest {
    @Test
    void connectsOverAUnixDomainSocket() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "tsk");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("unix_socket_directories", dir.toString()).start()) {
            String ci = "host=" + dir + " port=" + pg.getPort() + " user=postgres dbname=postgres";
            try (AsyncConnection<Row> conn = AsyncConnection.connect(ci).join()) {
                Row r = conn.execute("SELECT %s::int * 3, inet_server_addr() IS NULL", 14).join().fetchone();
                assertThat(r.getInt(0)).isEqualTo(42);
                assertThat(r.getBoolean(1)).as("no TCP address: the session runs over the socket").isTrue();
            }
        }
    }
}
