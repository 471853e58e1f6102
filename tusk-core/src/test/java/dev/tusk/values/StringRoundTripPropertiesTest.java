package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.sql.Literal;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * trust #9, property: strings over every Unicode plane round-trip equal as parameters (binary and text),
 * Literals, client-cursor queries and COPY rows; a lone surrogate is a DataException saying the string is not
 * valid Unicode, a NUL one saying PostgreSQL text cannot hold it; and the connection stays usable.
 */
@Timeout(300)
@TuskTest
class StringRoundTripPropertiesTest {

    // trust #9
    @Test
    void everyPathRoundTripsValidStringsAndRefusesTheRest(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            conn.execute("CREATE UNLOGGED TABLE s (k int PRIMARY KEY, t text)");
            conn.execute("SET synchronous_commit = off");
            AtomicInteger key = new AtomicInteger();
            Props.forAll("strings through every path", 150, Strings.withRareLoneSurrogatesAndNul(), s -> {
                boolean valid = Strings.validUnicode(s);
                boolean nul = s.indexOf('\0') >= 0;
                check(conn, s, valid, nul, "binary parameter", () -> conn.execute("SELECT %b::text", s).fetchone().getString(0));
                check(conn, s, valid, nul, "text parameter", () -> conn.execute("SELECT %t::text", s).fetchone().getString(0));
                check(conn, s, valid, nul, "Literal", () -> conn.execute(new SQL("SELECT {}::text").format(new Literal(s))).fetchone().getString(0));
                check(conn, s, valid, nul, "client cursor", () -> conn.clientCursor().execute("SELECT %s::text", s).fetchone().getString(0));
                int k = key.incrementAndGet();
                check(conn, s, valid, nul, "COPY", () -> {
                    try (Copy copy = conn.cursor().copy("COPY s FROM STDIN")) {
                        copy.writeRow(k, s);
                        copy.finish();
                    }
                    return conn.execute("SELECT t FROM s WHERE k = %s", k).fetchone().getString(0);
                });
                if (!valid || nul) {
                    assertThat(conn.execute("SELECT count(*) FROM s WHERE k = %s", k).fetchone().getLong(0)).as("nothing stored").isZero();
                }
            });
        }
    }

    private static void check(Connection<Row> conn, String s, boolean valid, boolean nul, String path, Supplier<String> roundTrip) {
        if (valid && !nul) {
            assertThat(roundTrip.get()).as(path).isEqualTo(s);
        } else {
            String why = !valid && nul ? "(not valid Unicode|NUL)" : !valid ? "not valid Unicode" : "NUL";
            assertThatThrownBy(roundTrip::get).as(path).isInstanceOf(DataException.class).hasMessageFindingMatch(why);
            assertThat(conn.isBroken()).isFalse();
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).as("usable after a refused %s", path).isEqualTo(1);
        }
    }
}
