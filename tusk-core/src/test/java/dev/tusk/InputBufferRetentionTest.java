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
    void anIdleConnectionHoldsSmallBuffersThatGrowForAWideResult(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo());
             AsyncConnection<Row> async = AsyncConnection.connect(db.conninfo()).join()) {
            for (dev.tusk.internal.core.ProtocolCore core : java.util.List.of(conn.driver().core(), async.driver().core())) {
                assertThat(core.input().capacity()).as("input buffer of a connection just opened").isLessThanOrEqualTo(1024);
                assertThat(core.output().capacity()).as("output buffer of a connection just opened").isLessThanOrEqualTo(1024);
            }
            conn.execute("SELECT 1").fetchone();
            assertThat(input(conn).capacity()).as("after a point select").isLessThanOrEqualTo(1024);
            // a result larger than the initial storage is read in socket reads of the working size, as before
            assertThat(conn.execute("SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g").fetchall()).hasSize(2000);
            assertThat(input(conn).capacity()).as("after a wide result").isGreaterThanOrEqualTo(InputBuffer.WORKING_SIZE);
            assertThat(async.execute("SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g").join().fetchall()).hasSize(2000);
            assertThat(async.driver().core().input().capacity()).as("async, after a wide result")
                    .isGreaterThanOrEqualTo(InputBuffer.WORKING_SIZE);
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
