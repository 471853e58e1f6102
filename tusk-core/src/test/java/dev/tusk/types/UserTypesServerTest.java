package dev.tusk.types;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Enums, composites and hstore created at run time, fetched from the catalogue and registered. */
@TuskTest
class UserTypesServerTest {
    enum Mood { SAD, OK, HAPPY }

    enum Colour { RED, GREEN }

    record Card(int value, String suit) {
    }

    record Item(String name, BigDecimal price, List<Integer> tags, Long stock) {
    }

    private Connection<Row> conn;

    @BeforeEach
    void connect(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private Object select(String sql, boolean binary, Object... params) {
        Cursor<Row> cur = conn.cursor();
        cur.setBinary(binary);
        return cur.execute(sql, params).fetchone().get(0);
    }

    @Test
    void domainsLoadAndDumpAsTheirBaseType() {
        conn.execute("CREATE DOMAIN posint AS int4 CHECK (VALUE > 0)");
        conn.execute("CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%')");
        for (boolean binary : List.of(false, true)) {
            assertThat(select("SELECT %s::posint", binary, 5)).isEqualTo(5);
            assertThat(select("SELECT %s::email", binary, "a@b")).isEqualTo("a@b");
        }
        conn.execute("CREATE TABLE with_domains (n posint, e email)");
        conn.execute("INSERT INTO with_domains VALUES (%s, %s)", 7, "x@y");
        Row r = conn.execute("SELECT n, e FROM with_domains").fetchone();
        assertThat(r.getInt(0)).isEqualTo(7);
        assertThat(r.getString(1)).isEqualTo("x@y");
        assertThatThrownBy(() -> conn.execute("INSERT INTO with_domains VALUES (%s, %s)", -1, "x@y"))
                .hasMessageContaining("posint");
    }

    @Test
    void aUserDefinedRangeRegisteredAtRunTime() {
        conn.execute("CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi)");
        TypeInfo info = TypeInfo.fetch(conn, "floatrange");
        info.register(conn.adapters());
        for (boolean binary : List.of(false, true)) {
            Object loaded = select("SELECT '[1.5,2.5)'::floatrange", binary);
            assertThat(loaded).as(binary ? "binary" : "text").isInstanceOf(Range.class);
            Range<?> range = (Range<?>) loaded;
            assertThat(range.lower()).isEqualTo(1.5);
            assertThat(range.upper()).isEqualTo(2.5);
        }
        assertThat(select("SELECT upper(%s::floatrange)", false, Range.of(1.0, 4.0))).isEqualTo(4.0);
    }

    @Test
    void enumsLoadAsStringsUntilMappedToAJavaEnum() {
        conn.execute("CREATE TYPE mood AS ENUM ('SAD', 'OK', 'HAPPY')");
        TypeInfo info = EnumInfo.fetch(conn, "mood");
        assertThat(info.labels()).containsExactly("SAD", "OK", "HAPPY");
        // unregistered Java enums are sent by name, untyped: the server casts them
        assertThat(conn.execute("SELECT %s::mood::text", Mood.HAPPY).fetchone().getString(0)).isEqualTo("HAPPY");
        assertThat(conn.execute("SELECT %b::mood::text", Mood.OK).fetchone().getString(0)).isEqualTo("OK");
        info.register(conn.adapters());
        for (boolean binary : List.of(false, true)) {
            assertThat(select("SELECT 'OK'::mood", binary)).isEqualTo("OK");
            assertThat(select("SELECT ARRAY['SAD', NULL]::mood[]", binary)).isEqualTo(Arrays.asList("SAD", null));
        }
        EnumInfo.register(info, conn.adapters(), Mood.class);
        for (boolean binary : List.of(false, true)) {
            for (String p : List.of("%s", "%t", "%b")) {
                assertThat(select("SELECT " + p, binary, Mood.SAD)).as(p).isEqualTo(Mood.SAD);
                assertThat(select("SELECT " + p + " > 'SAD'::mood", binary, Mood.HAPPY)).as(p).isEqualTo(true);
                assertThat(select("SELECT " + p, binary, List.of(Mood.OK, Mood.HAPPY))).as(p)
                        .isEqualTo(List.of(Mood.OK, Mood.HAPPY));
            }
            assertThat(select("SELECT '{HAPPY,NULL}'::mood[]", binary)).isEqualTo(Arrays.asList(Mood.HAPPY, null));
        }
    }

    @Test
    void enumMappingsAndErrors() {
        conn.execute("CREATE TYPE colour AS ENUM ('red', 'green', 'blue')");
        TypeInfo info = EnumInfo.fetch(conn, "public.colour");
        assertThatThrownBy(() -> EnumInfo.register(info, conn.adapters(), Colour.class))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("Colour.RED").hasMessageContaining("mapping");
        EnumInfo.register(info, conn.adapters(), Colour.class, Map.of(Colour.RED, "red", Colour.GREEN, "green"));
        for (boolean binary : List.of(false, true)) {
            assertThat(select("SELECT %s::text", binary, Colour.GREEN)).isEqualTo("green");
            assertThat(select("SELECT 'red'::colour", binary)).isEqualTo(Colour.RED);
            assertThatThrownBy(() -> select("SELECT 'blue'::colour", binary)).isInstanceOf(DataException.class)
                    .hasMessageContaining("blue");
        }
        assertThat(EnumInfo.fetch(conn, "no_such_type")).isNull();
        assertThatThrownBy(() -> EnumInfo.fetch(conn, "int4")).isInstanceOf(ProgrammingException.class);
    }

    @Test
    void enumRegistrationStaysOnItsConnection(TestDatabase db) {
        conn.execute("CREATE TYPE mood AS ENUM ('SAD', 'OK', 'HAPPY')");
        EnumInfo.register(EnumInfo.fetch(conn, "mood"), conn.adapters(), Mood.class);
        try (Connection<Row> other = Connection.connect(db.conninfo())) {
            assertThat(other.execute("SELECT 'OK'::mood").fetchone().get(0)).isEqualTo("OK");
        }
    }

    @Test
    void compositesLoadAsRecordsByPosition() {
        conn.execute("CREATE TYPE card AS (value int2, suit text)");
        TypeInfo info = CompositeInfo.fetch(conn, "card");
        assertThat(info.fieldNames()).containsExactly("value", "suit");
        info.register(conn.adapters());
        for (boolean binary : List.of(false, true)) {
            assertThat((Object[]) select("SELECT (8, 'hearts')::card", binary)).containsExactly((short) 8, "hearts");
        }
        CompositeInfo.register(info, conn.adapters(), Card.class);
        Card weird = new Card(-1, "a \"quoted\", (odd) \\ suit");
        for (boolean binary : List.of(false, true)) {
            assertThat(select("SELECT (8, 'hearts')::card", binary)).isEqualTo(new Card(8, "hearts"));
            assertThat(select("SELECT %t::card", binary, weird)).isEqualTo(weird);
            assertThat(select("SELECT (%s::card).suit", binary, weird)).isEqualTo(weird.suit());
            assertThat(select("SELECT ARRAY[(1,'x')::card, NULL]", binary)).isEqualTo(Arrays.asList(new Card(1, "x"), null));
            assertThat(select("SELECT %t::card[]", binary, List.of(new Card(2, ""), new Card(3, "b"))))
                    .isEqualTo(List.of(new Card(2, ""), new Card(3, "b")));
            assertThatThrownBy(() -> select("SELECT (NULL, 'x')::card", binary))
                    .isInstanceOf(DataException.class).hasMessageContaining("value");
        }
        // int does not match the int2 field in binary: a clear error
        assertThatThrownBy(() -> select("SELECT %b::card", false, new Card(1, "x")))
                .isInstanceOf(DataException.class).hasMessageContaining("oid");
    }

    @Test
    void compositesWithNestedTypesInBothFormats() {
        conn.execute("CREATE TABLE item (name varchar(20), price numeric(10,2), tags int4[], stock int8)");
        TypeInfo info = CompositeInfo.fetch(conn, "item");
        CompositeInfo.register(info, conn.adapters(), Item.class);
        Item full = new Item("tea, green", new BigDecimal("3.50"), List.of(1, 2), 7L);
        Item sparse = new Item("", null, List.of(), null);
        for (Item it : List.of(full, sparse)) {
            for (String p : List.of("%s", "%t", "%b")) {
                for (boolean binary : List.of(false, true)) {
                    assertThat(select("SELECT " + p + "::item", binary, it)).as(p + " " + binary).isEqualTo(it);
                }
            }
        }
        assertThatThrownBy(() -> CompositeInfo.register(info, conn.adapters(), Card.class))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("by position");
    }

    @Test
    void hstoreLoadsAndDumpsMaps(TestDatabase db) {
        try {
            conn.execute("CREATE EXTENSION IF NOT EXISTS hstore");
        } catch (dev.tusk.errors.DatabaseException e) {
            org.junit.jupiter.api.Assumptions.abort("the hstore extension is not available: " + e.getMessage());
        }
        TypeInfo info = TypeInfo.fetch(conn, "hstore");
        HstoreAdapters.register(info, conn.adapters());
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("a", "1");
        m.put("key with \"quotes\" and \\", "naïve ☃");
        m.put("", "");
        m.put("n", null);
        for (boolean binary : List.of(false, true)) {
            for (String p : List.of("%s", "%t", "%b")) {
                assertThat(select("SELECT " + p + "::hstore", binary, m)).as(p + " " + binary).isEqualTo(m);
                assertThat(select("SELECT " + p + " -> 'a'", binary, m)).isEqualTo("1");
            }
            assertThat(select("SELECT 'a=>1, b => NULL, \"c d\"=>\"NULL\"'::hstore", binary))
                    .isEqualTo(new java.util.HashMap<>(Map.of("a", "1", "c d", "NULL")) {{ put("b", null); }});
            assertThat(select("SELECT ''::hstore", binary)).isEqualTo(Map.of());
            assertThat(select("SELECT ARRAY['x=>y'::hstore, NULL]", binary)).isEqualTo(Arrays.asList(Map.of("x", "y"), null));
        }
        // TypeInfo.register alone knows hstore too, on another connection
        try (Connection<Row> other = Connection.connect(db.conninfo())) {
            assertThat(other.execute("SELECT 'k=>v'::hstore").fetchone().get(0)).isEqualTo("\"k\"=>\"v\"");
            TypeInfo.fetch(other, "hstore").register(other.adapters());
            assertThat(other.execute("SELECT 'k=>v'::hstore").fetchone().get(0)).isEqualTo(Map.of("k", "v"));
        }
    }
}
