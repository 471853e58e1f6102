package dev.tusk.faults;

import dev.tusk.testing.FaultProxy;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import org.assertj.core.api.ThrowableAssert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Connecting through a {@link FaultProxy} and the checks every lost connection must pass. */
final class Faults {
    /** What a message about a lost connection says (one of). */
    static final String LOST = "(?is).*(connection to the server lost|the server closed the connection|connection is broken"
            + "|connection was lost).*";

    private Faults() {
    }

    /** Options for the test database's superuser, through {@code proxy}, without TLS. */
    static ConnectOptions.Builder<Row> via(FaultProxy proxy, TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1").port(proxy.port()).sslmode("disable");
    }

    static FaultProxy proxyTo(TestDatabase db) {
        return FaultProxy.start(db.host(), db.port());
    }

    static Connection<Row> connect(FaultProxy proxy, TestDatabase db) {
        return Connection.connect(via(proxy, db).build());
    }

    /** Runs {@code call}, which must fail because the connection was lost; returns the failure after the checks. */
    static OperationalException assertLost(Connection<?> conn, ThrowableAssert.ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("the operation must fail").isInstanceOf(OperationalException.class);
        assertThat(t.getMessage()).matches(LOST);
        assertBrokenAfterwards(conn);
        return (OperationalException) t;
    }

    /** The connection knows it is broken and says so on the next call. */
    static void assertBrokenAfterwards(Connection<?> conn) {
        assertThat(conn.isBroken()).as("isBroken()").isTrue();
        assertThat(conn.isClosed()).as("isClosed()").isTrue();
        Throwable next = catchThrowable(() -> conn.execute("SELECT 1"));
        assertThat(next).isInstanceOf(OperationalException.class);
        assertThat(next.getMessage()).contains("broken").matches(LOST);
        conn.close(); // idempotent, quiet
        assertThat(conn.isClosed()).isTrue();
    }
}
