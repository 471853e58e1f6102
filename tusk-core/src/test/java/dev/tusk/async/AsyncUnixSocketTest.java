package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
@TuskTest
class AsyncUnixSocketTest {
    @Test
    void connectsOverAUnixDomainSocket(TestDatabase db) {
        assumeTrue(db.server().unixSocketDirectory() != null, "the test server has no unix socket");
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.unixSocketConninfo()).join()) {
            Row r = conn.execute("SELECT %s::int * 3, inet_server_addr() IS NULL", 14).join().fetchone();
            assertThat(r.getInt(0)).isEqualTo(42);
            assertThat(r.getBoolean(1)).as("no TCP address: the session runs over the socket").isTrue();
        }
    }
}
