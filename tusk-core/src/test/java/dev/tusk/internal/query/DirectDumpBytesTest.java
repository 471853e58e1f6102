package dev.tusk.internal.query;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.ValueWriter;
import dev.tusk.types.BuiltinAdapters;
import dev.tusk.types.DateTimeAdapters;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Parameters written straight into the Bind message by the built-in dumpers ({@link ValueWriter}): the bytes are
 * those {@link Dumper#dump} returns, in each format and for edge values; an application's dumper, NULL and long
 * strings still go through {@code dump}; a bad value fails while binding, naming the parameter.
 */
class DirectDumpBytesTest {
    private static final AdaptersMap M = BuiltinAdapters.newMap();

    private static final List<Object> EDGES = List.of(
            (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) -1,
            (short) 0, Short.MIN_VALUE, Short.MAX_VALUE, (short) -10, (short) 9, (short) 10,
            0, 1, -1, 9, 10, 99, 100, -9, -10, Integer.MIN_VALUE, Integer.MAX_VALUE, 4242,
            0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
            -999_999_999_999_999_999L, Long.MIN_VALUE + 1,
            0.0f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, 1.5f,
            0.0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, Math.PI,
            true, false,
            new UUID(0, 0), new UUID(-1, -1), UUID.fromString("01234567-89ab-cdef-fedc-ba9876543210"),
            new UUID(Long.MIN_VALUE, 1),
            "", "a", "value-4242", "é", "€uro", "😀 and 😀", "日本語テキスト", "\u007f\u0080\u07ff\u0800\uffff",
            "x".repeat(70_000), "é".repeat(40_000),
            LocalDate.of(2000, 1, 1), LocalDate.of(1999, 12, 31), LocalDate.of(1, 1, 1), LocalDate.of(-4713, 11, 24),
            LocalDate.of(5874897, 12, 31), LocalDate.of(2024, 2, 29),
            LocalDateTime.of(2000, 1, 1, 0, 0), LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_500),
            LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000), LocalDateTime.of(-4713, 11, 24, 0, 0),
            Instant.EPOCH, Instant.ofEpochSecond(-1, 1), Instant.parse("2026-12-07T04:56:16.123456789Z"),
            OffsetDateTime.of(2026, 12, 7, 5, 0, 0, 1_000, ZoneOffset.ofHoursMinutes(-9, -30)),
            ZonedDateTime.of(2026, 3, 29, 2, 30, 0, 0, ZoneId.of("Europe/Paris")),
            LocalTime.MIDNIGHT, LocalTime.MAX, LocalTime.of(12, 34, 56, 789_999_499));

    /** What {@code p} writes for parameter 0, without its length word (which must be the bytes' count). */
    private static byte[] written(BoundParams p) {
        MessageWriter w = new MessageWriter();
        p.write(0, w);
        byte[] all = w.toByteArray();
        int len = ByteBuffer.wrap(all).getInt();
        assertThat(len).as("the length word").isEqualTo(all.length - 4);
        byte[] out = new byte[len];
        System.arraycopy(all, 4, out, 0, len);
        return out;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static BoundParams bind(String query, Object... values) {
        return ParamBinder.bind(QueryTemplate.of(query), values, M);
    }

    @Test
    void everyBuiltinDirectDumperWritesWhatDumpReturnsInEachFormat() {
        int direct = 0;
        for (Object v : EDGES) {
            for (String placeholder : new String[] {"%s", "%t", "%b"}) {
                Format f = placeholder.equals("%s") ? null : placeholder.equals("%t") ? Format.TEXT : Format.BINARY;
                Dumper<Object> d;
                try {
                    d = M.dumperFor(v, f);
                } catch (RuntimeException e) {
                    continue; // no dumper in that format
                }
                BoundParams p = bind("SELECT " + placeholder, v);
                assertThat(written(p)).as("%s (%s) as %s", v, v.getClass().getSimpleName(), placeholder)
                        .isEqualTo(bytes(d.dump(v)));
                assertThat(p.oids()[0]).isEqualTo(d.oid());
                assertThat(p.formats()[0]).isEqualTo(d.format().code());
                boolean floatText = (v instanceof Float || v instanceof Double || v instanceof Temporal)
                        && d.format() == Format.TEXT;
                boolean longText = v instanceof String s && s.length() > 65_536;
                assertThat(p.slots()[1] != null).as("%s as %s written directly", v, placeholder)
                        .isEqualTo(!floatText && !longText);
                direct++;
            }
        }
        assertThat(direct).as("cases").isGreaterThan(2 * EDGES.size());
        for (Class<?> c : List.of(Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class,
                Boolean.class, UUID.class, String.class, LocalDate.class, LocalDateTime.class, LocalTime.class,
                Instant.class, OffsetDateTime.class, ZonedDateTime.class)) {
            assertThat(M.dumperForClass(c, Format.BINARY)).as(c + " binary").isInstanceOf(ValueWriter.class);
        }
        for (Class<?> c : List.of(Byte.class, Short.class, Integer.class, Long.class, Boolean.class, UUID.class,
                String.class)) {
            assertThat(M.dumperForClass(c, Format.TEXT)).as(c + " text").isInstanceOf(ValueWriter.class);
        }
    }

    @Test
    void infinityDatesWhenMappedAndAnOutOfRangeDateFailsWhileBinding() {
        AdaptersMap m = M.child();
        DateTimeAdapters.mapInfinity(m);
        for (Object v : List.of(LocalDate.MAX, LocalDate.MIN, LocalDateTime.MAX, LocalDateTime.MIN, Instant.MAX,
                Instant.MIN, OffsetDateTime.MAX, OffsetDateTime.MIN, LocalDate.of(2026, 12, 7))) {
            BoundParams p = ParamBinder.bind(QueryTemplate.of("SELECT %b"), new Object[] {v}, m);
            assertThat(p.slots()[1]).as("%s written directly", v).isNotNull();
            assertThat(written(p)).as("%s", v).isEqualTo(bytes(m.dumperFor(v, Format.BINARY).dump(v)));
        }
        assertThat(written(ParamBinder.bind(QueryTemplate.of("SELECT %b"), new Object[] {LocalDate.MAX}, m)))
                .containsExactly(0x7f, 0xff, 0xff, 0xff);
        Throwable dumped = catchThrowable(() -> M.dumperFor(LocalDate.MAX, Format.BINARY).dump(LocalDate.MAX));
        assertThat(dumped).isNotNull();
        assertThatThrownBy(() -> bind("SELECT %b", LocalDate.MAX)).isInstanceOf(dumped.getClass());
    }

    @Test
    void integersInTextAreTheirDecimalDigits() {
        for (Object v : EDGES) {
            if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
                assertThat(new String(written(bind("SELECT %t", v)), StandardCharsets.US_ASCII)).isEqualTo(v.toString());
            }
        }
    }

    @Test
    void theCommonParametersNeedNoBufferAndShareTheirOidArray() {
        BoundParams a = bind("SELECT %s", 1);
        BoundParams b = bind("SELECT %s", 2);
        assertThat(a.slots()).containsExactly(1, M.dumperFor(1, null));
        assertThat(a.oids()).isSameAs(b.oids()).containsExactly(23);
        assertThat(a.formats()).isSameAs(b.formats()).containsExactly(1);
        assertThat(bind("SELECT %s", "x").oids()).containsExactly(0);
    }

    @Test
    void aStringLongerThanTheDirectLimitIsDumpedWithItsExactLength() {
        String s = "ü".repeat(70_000);
        BoundParams p = bind("SELECT %s", s);
        assertThat(p.slots()[0]).isInstanceOf(ByteBuffer.class);
        assertThat(p.maxLength(0)).isEqualTo(140_000);
        assertThat(written(p)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aValueWhoseSizeIsKnownOnlyOnceWrittenGetsItsLengthWordAfterwards() {
        String s = "a€😀é"; // 1 + 3 + 4 + 2 bytes for 5 chars: the bound (15) is not the size
        BoundParams p = bind("SELECT %s, %s", s, 7);
        assertThat(p.maxLength(0)).isEqualTo(15);
        MessageWriter w = new MessageWriter();
        p.write(0, w);
        p.write(1, w);
        ByteBuffer b = ByteBuffer.wrap(w.toByteArray());
        assertThat(b.getInt()).isEqualTo(10);
        byte[] text = new byte[10];
        b.get(text);
        assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo(s);
        assertThat(b.getInt()).isEqualTo(4);
        assertThat(b.getInt()).isEqualTo(7);
        assertThat(b.hasRemaining()).isFalse();
        assertThat(p.value(0)).isEqualTo(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void nullIsMinusOneWithNoType() {
        BoundParams p = bind("SELECT %s, %s", null, 5L);
        assertThat(p.isNull(0)).isTrue();
        assertThat(p.isNull(1)).isFalse();
        assertThat(p.oids()).containsExactly(0, 20);
        MessageWriter w = new MessageWriter();
        p.write(0, w);
        assertThat(w.toByteArray()).containsExactly(0xff, 0xff, 0xff, 0xff);
        assertThat(p.value(0)).isNull();
        assertThat(bind("SELECT %s", (Object) null).oids()).containsExactly(0);
    }

    @Test
    void anApplicationsDumperStillDumpsIntoItsBuffer() {
        AdaptersMap m = M.child();
        m.registerDumper(Integer.class, new Dumper<Integer>() {
            @Override
            public ByteBuffer dump(Integer value) {
                return StandardCharsets.UTF_8.encode("n" + value);
            }

            @Override
            public int oid() {
                return 25;
            }

            @Override
            public Format format() {
                return Format.TEXT;
            }
        });
        BoundParams p = ParamBinder.bind(QueryTemplate.of("SELECT %s"), new Object[] {42}, m);
        assertThat(p.slots()[1]).isNull();
        assertThat(written(p)).isEqualTo("n42".getBytes(StandardCharsets.UTF_8));
        assertThat(p.oids()).containsExactly(25);
        assertThat(p.formats()).containsExactly(0);
    }

    @Test
    void aBadStringFailsWhileBindingNamingTheParameter() {
        assertThatThrownBy(() -> bind("SELECT %s, %s", 1, "a\0b")).isInstanceOf(DataException.class)
                .hasMessageStartingWith("parameter $2: ").hasMessageContaining("NUL");
        assertThatThrownBy(() -> bind("SELECT %b", "a\ud800b")).isInstanceOf(DataException.class)
                .hasMessageStartingWith("parameter $1: ").hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> bind("SELECT %s", "x".repeat(70_000) + "\udc00")).isInstanceOf(DataException.class)
                .hasMessageStartingWith("parameter $1: ").hasMessageContaining("lone surrogate");
    }

    @Test
    void aBindWithDirectValuesIsByteForByteTheBindOfTheirDumpedBytes() {
        Object[] values = {42, null, "héllo", 3.5, true, UUID.fromString("01234567-89ab-cdef-fedc-ba9876543210"),
                Long.MIN_VALUE, "x".repeat(70_000)};
        BoundParams direct = bind("SELECT %s, %s, %s, %s, %s, %s, %t, %s", values);
        BoundParams dumped = new BoundParams(direct.oids(), direct.formats(), direct.values());
        assertThat(bindMessage(direct)).isEqualTo(bindMessage(dumped));
        assertThat(dumped.slots()[1]).isNull();
    }

    @Test
    void multiRowInsertsKeepTheDirectValuesOfEveryRow() {
        InsertRewriter r = InsertRewriter.of("INSERT INTO t VALUES ($1, $2)", 2);
        List<BoundParams> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rows.add(ParamBinder.bindRaw(new Object[] {i, "r" + i}, M));
        }
        BoundParams merged = r.chunks(rows).get(0).binds().get(0);
        assertThat(merged.size()).isEqualTo(6);
        List<String> shown = new ArrayList<>();
        for (ByteBuffer b : merged.values()) {
            shown.add(b.remaining() == 4 ? Integer.toString(b.getInt(0)) : StandardCharsets.UTF_8.decode(b).toString());
        }
        assertThat(shown).containsExactly("0", "r0", "1", "r1", "2", "r2");
    }

    private static byte[] bindMessage(BoundParams p) {
        MessageWriter w = new MessageWriter();
        new ExtendedQuery("SELECT 1", "", false, p, 0, false).encode(w);
        return w.toByteArray();
    }
}
