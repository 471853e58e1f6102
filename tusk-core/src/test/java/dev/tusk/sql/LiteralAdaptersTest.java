package dev.tusk.sql;

import dev.tusk.Tusk;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Literals of types the built-in rules do not cover go through the adapters' text dumper. */
class LiteralAdaptersTest {
    /** Test-only types, so the global registrations cannot affect other tests. */
    record Cents(long value) {
    }

    record Doc(String json) {
    }

    record Exotic(String text) {
    }

    private static <T> Dumper<T> dumper(int oid, java.util.function.Function<T, String> text) {
        return new Dumper<>() {
            @Override
            public ByteBuffer dump(T value) {
                return ByteBuffer.wrap(text.apply(value).getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public int oid() {
                return oid;
            }

            @Override
            public Format format() {
                return Format.TEXT;
            }
        };
    }

    @BeforeAll
    static void register() {
        Tusk.adapters().registerDumper(Cents.class, LiteralAdaptersTest.<Cents>dumper(1700, c -> c.value() / 100 + "." + c.value() % 100));
        Tusk.adapters().registerDumper(Doc.class, LiteralAdaptersTest.<Doc>dumper(3802, Doc::json));
        Tusk.adapters().registerDumper(Exotic.class, LiteralAdaptersTest.<Exotic>dumper(987654, Exotic::text));
    }

    @Test
    void knownOidsGetACast() {
        assertThat(new Literal(new Cents(1234)).asString()).isEqualTo("'12.34'::numeric");
        assertThat(new Literal(new Doc("{\"a\": \"it's\"}")).asString()).isEqualTo("'{\"a\": \"it''s\"}'::jsonb");
    }

    @Test
    void dumpedTextIsQuotedLikeAnyString() {
        assertThat(new Literal(new Doc("{\"p\": \"C:\\\\x\"}")).asString()).isEqualTo(" E'{\"p\": \"C:\\\\\\\\x\"}'::jsonb");
    }

    @Test
    void unknownOidsGoUncast() {
        assertThat(new Literal(new Exotic("v")).asString()).isEqualTo("'v'");
    }

    @Test
    void castNamesOfTheTable() {
        assertThat(TypeNames.castName(23)).isEqualTo("int4");
        assertThat(TypeNames.castName(1007)).isEqualTo("int4[]");
        assertThat(TypeNames.castName(18)).isEqualTo("\"char\"");
        assertThat(TypeNames.castName(25)).isNull();
        assertThat(TypeNames.castName(705)).isNull();
        assertThat(TypeNames.castName(0)).isNull();
    }
}
