package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.sql.Identifier;
import dev.tusk.sql.Literal;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** trust #9: a lone UTF-16 surrogate is refused with a clear error on every path, never sent as '?'. */
@Timeout(60)
@TuskTest
class OutgoingTextTest {
    private static final String LONE = "ab\uD800cd";
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
        conn.execute("CREATE TABLE s (i int, t text)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private void stillUsable() {
        assertThat(conn.isBroken()).isFalse();
        assertThat(conn.execute("SELECT count(*) FROM s WHERE t LIKE '%?%'").fetchone().getLong(0)).as("no '?' stored").isZero();
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    // trust #9
    @Test
    void aParameterWithALoneSurrogateIsADataExceptionNamingTheParameterAndIndex() {
        assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (%s, %s)", 1, LONE))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("parameter $2").hasMessageContaining("not valid Unicode").hasMessageContaining("index 2");
        assertThatThrownBy(() -> conn.cursor().executemany("INSERT INTO s VALUES (%s, %s)", List.of(List.of(1, "ok"), List.of(2, "x\uDC00"))))
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (%s, %t)", 1, "\uDBFF")) // text format too
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (%s, %s)", 1, List.of("a", "b\uD800")))
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        stillUsable();
    }

    // trust #9
    @Test
    void theSqlTextALiteralAClientCursorAndAnIdentifierRefuseLoneSurrogates() {
        assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (1, '" + LONE + "')"))
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (1, '" + LONE + "') -- a statement longer than 64 chars"))
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> new Literal(LONE).asString(conn))
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode").hasMessageContaining("index 2");
        assertThatThrownBy(() -> conn.clientCursor().execute("INSERT INTO s VALUES (%s, %s)", 1, LONE))
                .isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> conn.execute(new SQL("SELECT 1 AS {}").format(new Identifier("x\uDFFF"))))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("not valid Unicode");
        stillUsable();
    }

    // trust #9
    @Test
    void copyRefusesLoneSurrogatesAndNul() {
        assertThatThrownBy(() -> {
            try (Copy copy = conn.cursor().copy("COPY s FROM STDIN")) {
                copy.writeRow(1, "fine");
                copy.writeRow(2, "caf\u00e9 " + LONE);
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> {
            try (Copy copy = conn.cursor().copy("COPY s FROM STDIN")) {
                copy.writeRow(3, "nul\0here");
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> {
            try (Copy copy = conn.cursor().copy("COPY s FROM STDIN")) {
                copy.write("4\t" + LONE + "\n");
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("not valid Unicode");
        // the COPY blocks end without finish(): nothing is kept, not even the valid row 1 (trust #19)
        assertThat(conn.execute("SELECT count(*) FROM s").fetchone().getLong(0)).isZero();
        stillUsable();
    }

    // trust #9: NUL in the SQL text cut the statement short on the server; now a clear error
    @Test
    void aNulInTheSqlTextIsAClearError() {
        assertThatThrownBy(() -> conn.execute("SELECT 'a\0b'")).isInstanceOf(DataException.class).hasMessageContaining("NUL");
        stillUsable();
    }

    // trust #9: valid pairs (every plane) still round-trip
    @Test
    void surrogatePairsRoundTrip() {
        String s = "\uD83D\uDE00 \uD800\uDC00 \uDBFF\uDFFF \u00e9 \uFFFD";
        assertThat(conn.execute("SELECT %s::text", s).fetchone().getString(0)).isEqualTo(s);
        assertThat(conn.clientCursor().execute("SELECT %s::text", s).fetchone().getString(0)).isEqualTo(s);
        assertThat(conn.execute("SELECT '" + s + "'::text").fetchone().getString(0)).isEqualTo(s);
    }
}
