package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tusk speaks UTF-8 only, as pgjdbc (trust #10): a client_encoding other than UTF8 in the connection string is
 * refused before connecting, and one the server reports later (SET client_encoding, set_config) breaks the
 * connection at once, on both drivers, rather than letting text be misread and literals misquoted.
 */
@TuskTest
@Timeout(60)
class ClientEncodingTest {

    private static ConnectOptions<Row> options(TestDatabase db) {
        return ConnectOptions.of(db.conninfo());
    }

    /** Connection options that can't reach any server: refusing them must not even try. */
    private static ConnectOptions<Row> nowhere(String extra) {
        return ConnectOptions.of("host=127.0.0.1 port=1 connect_timeout=2 sslmode=disable " + extra);
    }

    private static Throwable unwrapped(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    // trust #10
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void setClientEncodingToLatin1BreaksTheConnectionWithAClearMessage(Flavour flavour, TestDatabase db) {
        Flavour.Session s = flavour.open(options(db));
        try {
            assertThat(s.one("SELECT 'é'").getString(0)).isEqualTo("é");
            Throwable t = catchThrowable(() -> s.rows("SET client_encoding TO 'LATIN1'"));
            assertThat(t).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("client_encoding was changed to LATIN1")
                    .hasMessageContaining("Tusk requires client_encoding UTF8")
                    .hasMessageContaining("open a new one");
            assertThat(s.isBroken()).as("isBroken()").isTrue();
            assertThat(s.isClosed()).isTrue();
            Throwable next = catchThrowable(() -> s.rows("SELECT 'é'"));
            assertThat(next).isInstanceOf(OperationalException.class)
                    .hasMessageStartingWith("the connection is broken (the server's client_encoding was changed to LATIN1");
            assertThat(next.getMessage().split("open a new one", -1)).as("the advice, once: " + next.getMessage()).hasSize(2);
        } finally {
            s.close();
        }
    }

    // trust #10: any time, by any means, in any non-UTF-8 encoding (SJIS is the one that can break quoting)
    @ParameterizedTest
    @ValueSource(strings = {"SELECT set_config('client_encoding', 'SJIS', false)", "SET client_encoding = 'WIN1252'",
            "SET LOCAL client_encoding = 'LATIN1'"})
    void everyWayOfChangingItBreaksTheConnection(String sql, TestDatabase db) {
        for (Flavour flavour : Flavour.values()) {
            Flavour.Session s = flavour.open(options(db));
            try {
                s.rows("BEGIN");
                Throwable t = catchThrowable(() -> s.rows(sql));
                assertThat(t).as(flavour + ": " + sql).isInstanceOf(OperationalException.class)
                        .hasMessageContaining("client_encoding was changed to");
                assertThat(s.isBroken()).as(flavour + " isBroken()").isTrue();
            } finally {
                s.close();
            }
        }
    }

    // trust #10: UTF8 under any of its names keeps working
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void settingItToUtf8KeepsWorking(Flavour flavour, TestDatabase db) {
        Flavour.Session s = flavour.open(options(db));
        try {
            s.rows("SET client_encoding TO 'UTF8'");
            s.rows("SET client_encoding TO 'utf-8'");
            s.rows("SET client_encoding TO 'unicode'");
            assertThat(s.one("SELECT %s::text", "zoë ✓").getString(0)).isEqualTo("zoë ✓");
            assertThat(s.info().parameterStatus("client_encoding")).isEqualTo("UTF8");
            assertThat(s.isBroken()).isFalse();
        } finally {
            s.close();
        }
    }

    // trust #10: client_encoding=LATIN1 in the conninfo was silently replaced by UTF8; now it is refused
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aNonUtf8ClientEncodingInTheConninfoIsRefusedBeforeConnecting(Flavour flavour) {
        Throwable t = unwrapped(catchThrowable(() -> flavour.queryOnce(nowhere("client_encoding=LATIN1"), "SELECT 1")));
        assertThat(t).isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("client_encoding is \"LATIN1\"")
                .hasMessageContaining("Tusk speaks UTF-8 only")
                .hasMessageContaining("set it to UTF8");
    }

    // trust #10
    @Test
    void aNonUtf8ClientEncodingInOptionsIsRefusedToo() {
        for (String options : new String[] {"options='-c client_encoding=LATIN1'", "options=-cclient_encoding=SJIS",
                "options='--client-encoding=EUC_JP -c search_path=x'"}) {
            Throwable t = catchThrowable(() -> Connection.connect(nowhere(options)));
            assertThat(t).as(options).isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("client_encoding in options")
                    .hasMessageContaining("Tusk speaks UTF-8 only");
        }
        Throwable t = unwrapped(catchThrowable(() -> AsyncConnection.connect(nowhere("options='-c client_encoding=LATIN1'")).join()));
        assertThat(t).isInstanceOf(NotSupportedException.class);
    }

    // trust #10: the names of UTF8 are accepted (and "auto": the client's encoding, which for Tusk is UTF-8)
    @ParameterizedTest
    @ValueSource(strings = {"UTF8", "utf8", "UTF-8", "utf-8", "Unicode", "auto"})
    void utf8UnderAnyOfItsNamesIsAccepted(String name, TestDatabase db) {
        for (Flavour flavour : Flavour.values()) {
            String inOptions = name.equals("auto") ? "" : " options='-c client_encoding=" + name + "'"; // the server has no "auto"
            String enc = flavour.queryOnce(ConnectOptions.of(db.conninfo() + " client_encoding=" + name + inOptions),
                    "SHOW client_encoding");
            assertThat(enc).as(flavour + " " + name).isEqualTo("UTF8");
        }
    }
}
