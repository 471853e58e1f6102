package dev.tusk;

import dev.tusk.internal.wire.InputBuffer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blocking connection does not keep the input buffer its largest message needed (trust #23): it shrinks back
 * once the message has been consumed, and a closed connection holds none.
 */
@TuskTest
@Timeout(60)
class InputBufferRetentionTest {
    private static final int BIG = 16 * 1024 * 1024;

    private static InputBuffer input(Connection<?> conn) {
        return conn.driver().core().input();
    }

    @Test
    void theBufferShrinksBackAfterABigValue(TestDatabase db) { // trust #23
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            int initial = input(conn).capacity();
            String big = conn.execute("SELECT repeat('x', %s)", BIG).fetchone().getString(0);
            assertThat(big).hasSize(BIG);
            assertThat(input(conn).capacity()).as("capacity after a %d-byte value", BIG).isLessThanOrEqualTo(1 << 20);
            // and the connection goes on as before, big values included
            assertThat(conn.execute("SELECT length(repeat('y', %s))", BIG).fetchone().getInt(0)).isEqualTo(BIG);
            assertThat(conn.execute("SELECT repeat('z', 3 * 1024 * 1024)").fetchone().getString(0)).hasSize(3 * 1024 * 1024);
            assertThat(input(conn).capacity()).isLessThanOrEqualTo(Math.max(initial, 1 << 20));
        }
    }

    @Test
    void aClosedConnectionHoldsNoBuffer(TestDatabase db) { // trust #23
        Connection<Row> conn = Connection.connect(db.conninfo());
        conn.execute("SELECT repeat('x', 100000)").fetchone();
        conn.close();
        assertThat(input(conn).capacity()).isZero();
    }
}
