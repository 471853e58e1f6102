package dev.tusk;

import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cursor's streams of a prepared statement run again read its rows with the loaders chosen for the first one
 * (not chosen again for each): what they read changes all the same when the adapters or the session's TimeZone did.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamViewReuseTest {
    private static final String Q = "SELECT %s::text AS t, '2026-07-01 12:00:00.5+00'::timestamptz AS ts, %s::int4 AS i";

    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true).build());
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private static List<String> streamed(Cursor<Row> cur, String t, int i) {
        return streamed(cur, t, i, ExecuteOptions.DEFAULT);
    }

    private static List<String> streamed(Cursor<Row> cur, String t, int i, ExecuteOptions options) {
        try (Stream<Row> rows = cur.stream(Q, List.of(t, i), options, true)) {
            return rows.map(r -> r.get(0) + " | " + r.getString(1) + " | " + r.getInt(2) + " | " + r.get("i")).toList();
        }
    }

    @Test
    void theSameStatementStreamedAgainReadsAsItWouldFromScratch() {
        Cursor<Row> cur = conn.cursor();
        conn.execute("SET TimeZone = 'Asia/Kolkata'");
        for (int k = 0; k < 3; k++) { // prepared, described, then the columns come in binary where they read alike
            assertThat(streamed(cur, "a" + k, k)).containsExactly("a" + k + " | 2026-07-01 17:30:00.5+05:30 | " + k + " | " + k);
        }
        conn.execute("SET TimeZone = 'America/St_Johns'");
        assertThat(streamed(cur, "b", 7)).as("the session's new TimeZone").containsExactly("b | 2026-07-01 09:30:00.5-02:30 | 7 | 7");

        cur.adapters().registerLoader("text", PsycopgParityAdaptersTest.suffixed("!"));
        assertThat(streamed(cur, "c", 8)).as("a loader registered on the cursor since").containsExactly("c! | 2026-07-01 09:30:00.5-02:30 | 8 | 8");
        cur.adapters().registerLoader("text", PsycopgParityAdaptersTest.suffixed("?"));
        assertThat(streamed(cur, "d", 9)).as("and registered again").containsExactly("d? | 2026-07-01 09:30:00.5-02:30 | 9 | 9");

        Cursor<Row> binary = conn.cursor(); // every column in binary: a loader registered since changes no column
        ExecuteOptions inBinary = new ExecuteOptions(null, true, null);
        for (int k = 0; k < 3; k++) {
            assertThat(streamed(binary, "g", 12, inBinary)).containsExactly("g | 2026-07-01T09:30:00.500-02:30 | 12 | 12");
        }
        binary.adapters().registerLoader(23, plus(1000));
        assertThat(streamed(binary, "h", 13, inBinary)).as("a binary int4 loader registered on the cursor since")
                .containsExactly("h | 2026-07-01T09:30:00.500-02:30 | 13 | 1013");
        binary.adapters().registerLoader(23, plus(2000));
        assertThat(streamed(binary, "i", 14, inBinary)).as("and registered again")
                .containsExactly("i | 2026-07-01T09:30:00.500-02:30 | 14 | 2014");
        conn.execute("SET TimeZone = 'Asia/Kolkata'");
        assertThat(streamed(binary, "j", 15, inBinary)).as("a binary timestamptz shows the session's new TimeZone")
                .containsExactly("j | 2026-07-01T17:30:00.500+05:30 | 15 | 2015");
        conn.execute("SET TimeZone = 'America/St_Johns'");

        Cursor<Row> other = conn.cursor();
        assertThat(streamed(other, "e", 10)).as("another cursor: the connection's loaders")
                .containsExactly("e | 2026-07-01 09:30:00.5-02:30 | 10 | 10");
        assertThat(streamed(cur, "f", 11)).containsExactly("f? | 2026-07-01 09:30:00.5-02:30 | 11 | 11");
    }

    /** A binary int4 loaded as its value plus {@code n}. */
    private static Loader<Integer> plus(int n) {
        return new Loader<>() {
            @Override
            public Integer load(ByteBuffer data) {
                return data.getInt() + n;
            }

            @Override
            public Format format() {
                return Format.BINARY;
            }
        };
    }
}
