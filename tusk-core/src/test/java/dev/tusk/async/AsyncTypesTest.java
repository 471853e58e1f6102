package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.CompositeInfo;
import dev.tusk.types.EnumInfo;
import dev.tusk.types.Range;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Type adaptation on AsyncConnection: built-in values both ways, user types fetched asynchronously, adapter scopes. */
@Timeout(60)
@TuskTest
class AsyncTypesTest {
    enum Mood { SAD, OK, HAPPY }

    record Card(short value, String suit) { }

    private AsyncConnection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    private Object select(String query, boolean binary, Object... params) {
        return conn.execute(query, Arrays.asList(params), ExecuteOptions.builder().binary(binary).build()).join().fetchone().get(0);
    }

    @Test
    void timestamptzFollowsTheSessionTimeZoneAsItChanges() {
        for (String zone : List.of("Asia/Kolkata", "America/New_York")) {
            conn.execute("SET TimeZone = '" + zone + "'").join();
            OffsetDateTime expected = OffsetDateTime.parse("2026-11-24T09:30:00Z")
                    .atZoneSameInstant(java.time.ZoneId.of(zone)).toOffsetDateTime();
            for (boolean binary : List.of(false, true)) {
                assertThat(select("SELECT '2026-11-24 09:30:00+00'::timestamptz", binary))
                        .as(zone + (binary ? " binary" : " text")).isEqualTo(expected);
            }
        }
    }

    @Test
    void builtInValuesRoundTripInTextAndBinary() {
        List<Object> values = Arrays.asList(42, Long.MIN_VALUE, (short) -7, 2.5, true, "unicode ☃ 'quoted'",
                new BigDecimal("-12345678901234567890.000123"), LocalDate.of(-44, 3, 15),
                OffsetDateTime.of(2026, 11, 24, 11, 30, 0, 123456000, ZoneOffset.UTC), UUID.randomUUID(),
                new byte[] {0, 1, (byte) 255}, List.of(1, 2, 3));
        for (boolean binary : List.of(false, true)) {
            for (Object v : values) {
                Object back = select("SELECT %s", binary, v);
                if (v instanceof byte[] b) {
                    assertThat((byte[]) back).as("bytea, binary=" + binary).containsExactly(b);
                } else if (v instanceof OffsetDateTime t) {
                    assertThat(((OffsetDateTime) back).toInstant()).as("timestamptz, binary=" + binary).isEqualTo(t.toInstant());
                } else {
                    assertThat(back).as(v.getClass().getSimpleName() + ", binary=" + binary).isEqualTo(v);
                }
            }
            assertThat(select("SELECT %s::int4range", binary, Range.of(1, 10))).isEqualTo(Range.of(1, 10));
            assertThat(select("SELECT NULL::int", binary)).isNull();
        }
    }

    @Test
    void enumsAndCompositesFetchedWithoutBlocking() {
        conn.execute("CREATE TYPE mood AS ENUM ('SAD', 'OK', 'HAPPY'); CREATE TYPE card AS (value int2, suit text)").join();
        TypeInfo mood = EnumInfo.fetch(conn, "mood").join();
        assertThat(mood.labels()).containsExactly("SAD", "OK", "HAPPY");
        EnumInfo.register(mood, conn.adapters(), Mood.class);
        TypeInfo card = CompositeInfo.fetch(conn, "card").join();
        CompositeInfo.register(card, conn.adapters(), Card.class);
        for (boolean binary : List.of(false, true)) {
            assertThat(select("SELECT %s", binary, Mood.HAPPY)).isEqualTo(Mood.HAPPY);
            assertThat(select("SELECT '{SAD,NULL}'::mood[]", binary)).isEqualTo(Arrays.asList(Mood.SAD, null));
            assertThat(select("SELECT %t::card", binary, new Card((short) 8, "a \"quoted\" (suit)")))
                    .isEqualTo(new Card((short) 8, "a \"quoted\" (suit)"));
        }
        assertThat(TypeInfo.fetch(conn, "no_such_type").join()).isNull();
        assertThatThrownBy(() -> EnumInfo.fetch(conn, "card").join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ProgrammingException.class).hasMessageContaining("not an enum");
    }

    @Test
    void adaptersLayerConnectionThenCursorAndNeverLeakUpwards(TestDatabase db) {
        Loader<String> shouting = new Loader<>() {
            @Override
            public String load(java.nio.ByteBuffer data) {
                return StandardCharsets.UTF_8.decode(data).toString().toUpperCase();
            }

            @Override
            public Format format() {
                return Format.TEXT;
            }
        };
        var cur = conn.cursor();
        cur.adapters().registerLoader("text", shouting);
        assertThat(cur.execute("SELECT 'abc'::text").join().fetchone().get(0)).isEqualTo("ABC");
        assertThat(conn.execute("SELECT 'abc'::text").join().fetchone().get(0)).as("not on the connection").isEqualTo("abc");
        conn.adapters().registerLoader("text", shouting);
        assertThat(conn.execute("SELECT 'abc'::text").join().fetchone().get(0)).isEqualTo("ABC");
        try (AsyncConnection<Row> other = AsyncConnection.connect(db.conninfo()).join()) {
            assertThat(other.execute("SELECT 'abc'::text").join().fetchone().get(0)).as("nor on another connection").isEqualTo("abc");
        }
    }
}
