package dev.tusk.adapt;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.sql.Literal;
import dev.tusk.types.BuiltinAdapters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The adaptation context, the catalogue lookup and the type adapters hook, without a server. */
@Timeout(10)
class AdaptContextTest {
    record Money(long cents) {
    }

    private static final Dumper<Money> MONEY = new Dumper<>() {
        @Override
        public ByteBuffer dump(Money value) {
            return ByteBuffer.wrap((value.cents() / 100 + "." + value.cents() % 100).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int oid() {
            return 1700;
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    /** FETCH_SQL's row for an enum. */
    private static List<String> moodRow() {
        return Arrays.asList("mood", "16400", "16399", ",", "e", "0", null, "{sad,ok}", null, null, "mood");
    }

    @Test
    void aNewAdaptersMapIsEmptyAsPsycopgsAndTheBuiltinsComeFromTheTypesPackage() {
        AdaptersMap bare = new AdaptersMap();
        assertThat(bare.types().get("int4")).isNull();
        assertThat(bare.loaderFor(23, Format.TEXT)).isNull();
        assertThatThrownBy(() -> bare.dumperFor(42, null)).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("no adapters at all").hasMessageContaining("BuiltinAdapters.newMap()");

        AdaptersMap builtins = BuiltinAdapters.newMap();
        assertThat(builtins.types().get("int4").oid()).isEqualTo(23);
        assertThat(builtins.dumperFor(42, null).oid()).isEqualTo(23);
        assertThat(builtins).isNotSameAs(BuiltinAdapters.newMap()).isNotSameAs(BuiltinAdapters.global());
    }

    @Test
    void anAdaptersMapIsItsOwnContextForLiterals() {
        AdaptersMap m = BuiltinAdapters.newMap();
        m.registerDumper(Money.class, MONEY);
        assertThat(m.adapters()).isSameAs(m);
        assertThat(new Literal(new Money(1234)).asString(m)).isEqualTo("'12.34'::numeric");
        assertThat(Literal.quote(new Money(5), m)).isEqualTo("'0.5'::numeric");
        assertThatThrownBy(() -> new Literal(new Money(1)).asString(BuiltinAdapters.newMap()))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("cannot adapt type");
    }

    @Test
    void typeAdaptersRunForTypesRegisteredOnTheMapAndOnChildrenMadeLater() {
        AdaptersMap parent = AdaptersMap.empty();
        List<String> seen = new ArrayList<>();
        AdaptersMap before = parent.child();
        parent.registerTypeAdapters((info, map) -> seen.add(info.name() + (map == parent ? "@parent" : "@child")));
        AdaptersMap after = parent.child();

        TypeInfo.enumType("a", 1, 2, List.of("x")).register(parent);
        TypeInfo.enumType("b", 3, 4, List.of("x")).register(after);
        TypeInfo.enumType("c", 5, 6, List.of("x")).register(before);
        assertThat(seen).containsExactly("a@parent", "b@child");
        assertThat(before.types().get("c").oid()).as("the type itself is known all the same").isEqualTo(5);
    }

    @Test
    void registerOnABuiltinMapAddsTheKindsAdaptersThroughTheHook() {
        AdaptersMap m = BuiltinAdapters.newMap();
        TypeInfo mood = TypeInfo.fetch((sql, param) -> moodRow(), "mood");
        mood.register(m);
        assertThat(m.loaderFor(16400, Format.TEXT).load(ByteBuffer.wrap("ok".getBytes()))).isEqualTo("ok");
        assertThat(m.loaderFor(16399, Format.TEXT).load(ByteBuffer.wrap("{ok,sad}".getBytes()))).isEqualTo(List.of("ok", "sad"));

        AdaptersMap bare = AdaptersMap.empty();
        mood.register(bare);
        assertThat(bare.types().get("mood").oid()).isEqualTo(16400);
        assertThat(bare.loaderFor(16400, Format.TEXT)).as("an empty map has no type adapters").isNull();
    }

    @Test
    void fetchHandsTheCatalogALookupThatDecidesWithoutIo() {
        List<TypeCatalog.Lookup> asked = new ArrayList<>();
        TypeCatalog<TypeInfo> blocking = lookup -> {
            asked.add(lookup);
            return lookup.result(moodRow());
        };
        TypeInfo mood = TypeInfo.fetch(blocking, "mood");
        assertThat(mood.kind()).isEqualTo(TypeInfo.Kind.ENUM);
        assertThat(mood.labels()).containsExactly("sad", "ok");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).sql()).isEqualTo(TypeInfo.FETCH_SQL);
        assertThat(asked.get(0).param()).isEqualTo("mood");

        TypeCatalog<CompletableFuture<TypeInfo>> async = lookup -> CompletableFuture.completedFuture(lookup.result(null));
        CompletableFuture<TypeInfo> none = TypeInfo.fetch(async, "no_such_type");
        assertThat(none.join()).isNull();
    }

    @Test
    void aLookupsCheckSeesWhatTheRowStandsFor() {
        TypeCatalog.Lookup lookup = TypeInfo.lookup("mood").then(info -> {
            throw new ProgrammingException("not wanted: " + info.name());
        });
        assertThatThrownBy(() -> lookup.result(moodRow())).hasMessage("not wanted: mood");
        assertThat(TypeInfo.lookup("mood").then(info -> info).result(moodRow()).oid()).isEqualTo(16400);
    }

    @Test
    void catalogueArraysKeepQuotedCommasEscapesAndNulls() {
        assertThat(TypeInfo.textArray("{a,\"b, c\",\"d\\\"e\",\"f\\\\g\",NULL,\"NULL\",\"\"}"))
                .containsExactly("a", "b, c", "d\"e", "f\\g", null, "NULL", "");
        assertThat(TypeInfo.textArray("{}")).isEmpty();
        assertThat(TypeInfo.textArray(null)).isEmpty();
        assertThat(TypeInfo.textArray("{23,25}")).containsExactly("23", "25");
    }
}
