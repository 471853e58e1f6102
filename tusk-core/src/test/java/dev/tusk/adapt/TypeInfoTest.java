package dev.tusk.adapt;

import dev.tusk.types.BuiltinAdapters;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TypeInfoTest {
    @Test
    void parsesAnEnumRowAndRegistersItsArray() {
        TypeInfo.CatalogQuery q = (sql, param) -> {
            assertThat(sql).contains("to_regtype(%s)");
            assertThat(param).isEqualTo("app.mood");
            return Arrays.asList("mood", "16400", "16399", ",", "e", "0", null, "{sad,ok,\"very happy\"}", null, null, "app.mood");
        };
        TypeInfo mood = TypeInfo.fetch(q, "app.mood");
        assertThat(mood.kind()).isEqualTo(TypeInfo.Kind.ENUM);
        assertThat(mood.labels()).containsExactly("sad", "ok", "very happy");
        AdaptersMap m = BuiltinAdapters.newMap();
        mood.register(m);
        assertThat(m.types().get("app.mood").oid()).isEqualTo(16400);
        assertThat(m.types().get("mood").arrayOid()).isEqualTo(16399);
        assertThat(m.loaderFor(16399, Format.TEXT).load(ByteBuffer.wrap("{ok,sad}".getBytes()))).isEqualTo(List.of("ok", "sad"));
    }

    @Test
    void parsesCompositeRangeAndMissingTypes() {
        TypeInfo c = TypeInfo.fetch((s, p) -> Arrays.asList("pair", "16500", "16499", ",", "c", "0", null, null,
                "{a,b}", "{23,25}", "pair"), "pair");
        assertThat(c.fieldNames()).containsExactly("a", "b");
        assertThat(c.fieldTypes()).containsExactly(23, 25);
        TypeInfo r = TypeInfo.fetch((s, p) -> Arrays.asList("floatrange", "16600", "16599", ",", "r", "0", "701", null,
                null, null, "floatrange"), "floatrange");
        assertThat(r.kind()).isEqualTo(TypeInfo.Kind.RANGE);
        assertThat(r.baseOid()).isEqualTo(701);
        assertThat(TypeInfo.fetch((s, p) -> null, "nope")).isNull();
    }
}
