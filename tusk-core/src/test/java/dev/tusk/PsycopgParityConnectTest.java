package dev.tusk;

import dev.tusk.errors.InvalidCatalogName;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's connection findings, ported from psycopg's {@code tests/test_connection.py}, on both drivers: any
 * failure to connect is an OperationalException (the server's SQLSTATE kept), and a closed connection makes no
 * more cursors.
 */
@Timeout(60)
@TuskTest
class PsycopgParityConnectTest {
    /** psycopg test_connection.py::test_connect_bad: {@code dbname="nosuchdb"} raises OperationalError. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aMissingDatabaseIsAnOperationalExceptionKeepingItsSqlstate(Flavour flavour, TestDatabase db) {
        String conninfo = db.conninfo() + " dbname=nosuchdb";
        assertThatThrownBy(() -> flavour.queryOnce(ConnectOptions.of(conninfo), "SELECT 1"))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining("\"nosuchdb\" does not exist")
                .satisfies(e -> assertThat(((OperationalException) e).sqlstate()).isEqualTo("3D000"))
                .satisfies(e -> assertThat(((OperationalException) e).diag().messagePrimary()).contains("nosuchdb"))
                .hasCauseInstanceOf(InvalidCatalogName.class);
    }

    /** A refused login that is already an OperationalException (28P01) is raised as it is. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aWrongPasswordStaysItsOwnClass(Flavour flavour, TestDatabase db) {
        assertThatThrownBy(() -> flavour.queryOnce(ConnectOptions.of(db.conninfo(db.scramUser(), "wrong")), "SELECT 1"))
                .isInstanceOf(dev.tusk.errors.InvalidPassword.class);
    }

    /** psycopg test_connection.py::test_cursor_closed: conn.cursor() and conn.cursor("foo") raise once closed. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aClosedConnectionMakesNoCursors(Flavour flavour, TestDatabase db) {
        if (flavour == Flavour.BLOCKING) {
            Connection<Row> conn = Connection.connect(db.conninfo());
            conn.close();
            assertThatThrownBy(conn::cursor).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> conn.cursor("foo")).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
            assertThatThrownBy(conn::clientCursor).isInstanceOf(OperationalException.class);
            assertThatThrownBy(conn::rawCursor).isInstanceOf(OperationalException.class);
            assertThatThrownBy(() -> conn.cursor(Rows.tuple())).isInstanceOf(OperationalException.class);
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(db.conninfo()));
            Flavour.join(conn.closeAsync());
            assertThatThrownBy(conn::cursor).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> conn.cursor("foo")).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
            assertThatThrownBy(conn::clientCursor).isInstanceOf(OperationalException.class);
            assertThatThrownBy(conn::rawCursor).isInstanceOf(OperationalException.class);
            // the connection's own calls still report it through their future
            assertThat(conn.execute("SELECT 1")).isCompletedExceptionally();
        }
    }
}
