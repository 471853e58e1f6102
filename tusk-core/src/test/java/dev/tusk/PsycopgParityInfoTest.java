package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30's missing {@code ConnectionInfo} names, ported from psycopg's {@code tests/test_connection_info.py}
 * (test_hostaddr, test_vendor, test_error_message), on both drivers.
 */
@Timeout(60)
@TuskTest
class PsycopgParityInfoTest {

    /**
     * psycopg test_connection_info.py::test_hostaddr: a string; here also the very address the server sees
     * itself reached on ({@code inet_server_addr()}), for a host given by name; the given hostaddr when there is
     * one; null through a Unix-domain socket (no IP address). Kept after close, as libpq keeps it.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void hostaddrIsTheNumericAddressConnectedTo(Flavour flavour, TestDatabase db) {
        String byName = db.conninfo() + " host=localhost";
        String withHostaddr = db.conninfo() + " host=localhost hostaddr=127.0.0.1";
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(byName)) {
                String server = conn.execute("SELECT host(inet_server_addr())").fetchone().getString(0);
                assertThat(conn.info().hostaddr()).isEqualTo(server).matches("[0-9.]+|[0-9a-f:]+");
                assertThat(conn.info().host()).isEqualTo("localhost");
                conn.close();
                assertThat(conn.info().hostaddr()).isEqualTo(server);
            }
            try (Connection<Row> conn = Connection.connect(withHostaddr)) {
                assertThat(conn.info().hostaddr()).isEqualTo("127.0.0.1");
            }
            try (Connection<Row> conn = Connection.connect(db.unixSocketConninfo())) {
                assertThat(conn.info().hostaddr()).isNull();
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(byName));
            String server = Flavour.join(conn.execute("SELECT host(inet_server_addr())")).fetchone().getString(0);
            assertThat(conn.info().hostaddr()).isEqualTo(server).matches("[0-9.]+|[0-9a-f:]+");
            Flavour.join(conn.closeAsync());
            assertThat(conn.info().hostaddr()).isEqualTo(server);
            AsyncConnection<Row> unix = Flavour.join(AsyncConnection.connect(db.unixSocketConninfo()));
            try {
                assertThat(unix.info().hostaddr()).isNull();
            } finally {
                Flavour.join(unix.closeAsync());
            }
        }
    }

    /** psycopg test_connection_info.py::test_vendor: "PostgreSQL". */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void vendorIsPostgresql(Flavour flavour, TestDatabase db) {
        try (Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()))) {
            assertThat(s.info().vendor()).isEqualTo("PostgreSQL");
        }
    }

    /**
     * psycopg test_connection_info.py::test_error_message: "" on a fresh connection; after a failed statement, a
     * message holding the exception's text and its severity; "" again after a statement that succeeds (libpq
     * clears it as each query starts); once closed, a message saying so.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void errorMessageIsTheLastErrorOfTheConnection(Flavour flavour, TestDatabase db) {
        try (Flavour.Session s = flavour.open(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            assertThat(s.info().errorMessage()).isEmpty();
            Throwable thrown = catchAny(() -> s.rows("wat", null, null));
            assertThat(thrown).isInstanceOf(ProgrammingException.class);
            TuskException ex = (TuskException) thrown;
            assertThat(s.info().errorMessage()).contains(ex.getMessage()).contains(ex.diag().severity())
                    .startsWith("ERROR:  ");
            s.rows("SELECT 1", null, null);
            assertThat(s.info().errorMessage()).isEmpty();
            s.close();
            assertThat(s.info().errorMessage()).contains("closed");
        }
    }

    /** A connection the server ended (pg_terminate_backend) tells why in errorMessage. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void errorMessageOfALostConnectionSaysWhy(Flavour flavour, TestDatabase db) {
        try (Flavour.Session s = flavour.open(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
             Connection<Row> killer = Connection.connect(db.conninfo())) {
            killer.execute("SELECT pg_terminate_backend(%s)", s.info().backendPid());
            catchAny(() -> s.rows("SELECT pg_sleep(0.2)", null, null));
            catchAny(() -> s.rows("SELECT 1", null, null));
            assertThat(s.isBroken()).isTrue();
            assertThat(s.info().errorMessage()).isNotEmpty().doesNotContain("the connection is closed");
        }
    }

    private static Throwable catchAny(Runnable r) {
        try {
            r.run();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }
}
