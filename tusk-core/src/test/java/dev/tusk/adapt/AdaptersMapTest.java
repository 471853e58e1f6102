package dev.tusk.adapt;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.types.BuiltinAdapters;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdaptersMapTest {
    record Dummy(int oid, Format format) implements Dumper<Object> {
        @Override
        public ByteBuffer dump(Object value) {
            return ByteBuffer.wrap(("d" + oid).getBytes(StandardCharsets.UTF_8));
        }
    }

    record FixedLoader(String result, Format format) implements Loader<String> {
        @Override
        public String load(ByteBuffer data) {
            return result;
        }
    }

    static class Base {
    }

    static class Derived extends Base implements Runnable {
        public void run() {
        }
    }

    @Test
    void childRegistrationDoesNotLeakUpwardOrSideways() {
        AdaptersMap global = BuiltinAdapters.newMap();
        AdaptersMap conn1 = global.child();
        AdaptersMap conn2 = global.child();
        conn1.registerLoader(23, new FixedLoader("mine", Format.TEXT));

        assertThat(conn1.loaderFor(23, Format.TEXT).load(ByteBuffer.allocate(0))).isEqualTo("mine");
        assertThat(conn2.loaderFor(23, Format.TEXT).load(ByteBuffer.wrap("7".getBytes()))).isEqualTo(7);
        assertThat(global.loaderFor(23, Format.TEXT).load(ByteBuffer.wrap("7".getBytes()))).isEqualTo(7);
    }

    /**
     * A child keeps its template's built-in loaders shared and only its own registrations apart (a connection's
     * session time zone no longer copies every loader): every level still sees the snapshot of the levels above it
     * taken when it was made, and its own registrations win.
     */
    @Test
    void grandchildSeesEveryLevelAsItWasWhenMadeAndItsOwnLoadersWin() {
        AdaptersMap global = BuiltinAdapters.newMap();
        AdaptersMap conn = global.child();
        conn.registerLoader(23, new FixedLoader("conn", Format.TEXT));
        AdaptersMap cursor = conn.child();
        global.registerLoader(21, new FixedLoader("global-late", Format.TEXT));
        conn.registerLoader(20, new FixedLoader("conn-late", Format.TEXT));
        cursor.registerLoader(25, new FixedLoader("cursor", Format.TEXT));
        ByteBuffer seven = ByteBuffer.wrap("7".getBytes(StandardCharsets.UTF_8));

        assertThat(cursor.loaderFor(23, Format.TEXT).load(seven.duplicate())).isEqualTo("conn");
        assertThat(cursor.loaderFor(25, Format.TEXT).load(seven.duplicate())).isEqualTo("cursor");
        assertThat(cursor.loaderFor(21, Format.TEXT).load(seven.duplicate())).isEqualTo((short) 7);
        assertThat(cursor.loaderFor(20, Format.TEXT).load(seven.duplicate())).isEqualTo(7L);
        assertThat(conn.loaderFor(25, Format.TEXT).load(seven.duplicate())).isEqualTo("7");
        assertThat(conn.loaderFor(20, Format.TEXT).load(seven.duplicate())).isEqualTo("conn-late");
        assertThat(conn.loaderFor(21, Format.TEXT).load(seven.duplicate())).isEqualTo((short) 7);
        assertThat(conn.child().loaderFor(20, Format.TEXT).load(seven.duplicate())).isEqualTo("conn-late");
        assertThat(global.child().loaderFor(21, Format.TEXT).load(seven.duplicate())).isEqualTo("global-late");
        assertThat(global.child().loaderFor(23, Format.TEXT).load(seven.duplicate())).isEqualTo(7);
    }

    /**
     * psycopg's copy-on-write maps, as a cursor takes its connection's: a snapshot is the map itself (nothing copied,
     * one object for every taker) until the map changes, then a copy of the state before the change.
     */
    @Test
    void aSnapshotSeesTheMapAsItWasWhenTakenAndCopiesNothingUntilItChanges() {
        AdaptersMap conn = BuiltinAdapters.newMap().child();
        var first = conn.snapshot();
        assertThat(conn.snapshot()).isSameAs(first);
        assertThat(first.get()).isSameAs(conn);
        ByteBuffer x = ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8));

        conn.registerLoader(25, new FixedLoader("late", Format.TEXT));
        conn.registerDumper(Base.class, new Dummy(1, Format.TEXT));
        assertThat(first.get()).isNotSameAs(conn);
        assertThat(first.get().loaderFor(25, Format.TEXT).load(x.duplicate())).isEqualTo("x");
        assertThat(first.get().dumperForClass(Base.class, null)).isNull();

        var second = conn.snapshot();
        assertThat(second).isNotSameAs(first);
        assertThat(second.get()).isSameAs(conn);
        conn.registerLoader(25, new FixedLoader("later", Format.TEXT));
        assertThat(second.get().loaderFor(25, Format.TEXT).load(x.duplicate())).isEqualTo("late");
        assertThat(second.get().dumperFor(new Base(), null).oid()).isEqualTo(1);
        assertThat(first.get().loaderFor(25, Format.TEXT).load(x.duplicate())).isEqualTo("x");
        assertThat(conn.loaderFor(25, Format.TEXT).load(x.duplicate())).isEqualTo("later");
    }

    @Test
    void parentRegistrationReachesOnlyChildrenMadeAfterIt() {
        AdaptersMap global = BuiltinAdapters.newMap();
        AdaptersMap before = global.child();
        global.registerDumper(Base.class, new Dummy(1, Format.TEXT));
        AdaptersMap after = global.child();

        assertThat(after.dumperFor(new Base(), null).oid()).isEqualTo(1);
        assertThatThrownBy(() -> before.dumperFor(new Base(), null)).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("cannot adapt type " + Base.class.getName());
    }

    @Test
    void mostSpecificSuperclassThenInterfaceWins() {
        AdaptersMap m = AdaptersMap.empty();
        m.registerDumper(Object.class, new Dummy(1, Format.TEXT));
        m.registerDumper(Runnable.class, new Dummy(2, Format.TEXT));
        assertThat(m.dumperFor(new Derived(), null).oid()).isEqualTo(2);
        m.registerDumper(Base.class, new Dummy(3, Format.TEXT));
        assertThat(m.dumperFor(new Derived(), null).oid()).isEqualTo(3);
        m.registerDumper(Derived.class, new Dummy(4, Format.TEXT));
        assertThat(m.dumperFor(new Derived(), null).oid()).isEqualTo(4);
        assertThat(m.dumperFor("x", null).oid()).isEqualTo(1);
    }

    @Test
    void interfacesOfSuperinterfacesAreFound() {
        AdaptersMap m = AdaptersMap.empty();
        m.registerDumper(Iterable.class, new Dummy(9, Format.TEXT));
        assertThat(m.dumperFor(new ArrayList<>(), null).oid()).isEqualTo(9);
        m.registerDumper(Serializable.class, new Dummy(8, Format.TEXT));
        // ArrayList implements Serializable directly: breadth first, it comes before Iterable
        assertThat(m.dumperFor(new ArrayList<>(), null).oid()).isEqualTo(8);
    }

    @Test
    void lastRegisteredIsTheAutomaticChoiceAndFormatsAreKeptApart() {
        AdaptersMap m = AdaptersMap.empty();
        m.registerDumper(Base.class, new Dummy(1, Format.TEXT));
        m.registerDumper(Base.class, new Dummy(2, Format.BINARY));
        assertThat(m.dumperFor(new Base(), null).format()).isEqualTo(Format.BINARY);
        assertThat(m.dumperFor(new Base(), Format.TEXT).oid()).isEqualTo(1);
        assertThat(m.dumperFor(new Base(), Format.BINARY).oid()).isEqualTo(2);
    }

    @Test
    void missingFormatIsAClearError() {
        AdaptersMap m = AdaptersMap.empty();
        m.registerDumper(Base.class, new Dummy(1, Format.TEXT));
        assertThatThrownBy(() -> m.dumperFor(new Base(), Format.BINARY))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("'%b'");
    }

    @Test
    void cacheIsInvalidatedByRegistration() {
        AdaptersMap m = AdaptersMap.empty();
        m.registerDumper(Base.class, new Dummy(1, Format.TEXT));
        assertThat(m.dumperFor(new Derived(), null).oid()).isEqualTo(1);
        m.registerDumper(Derived.class, new Dummy(2, Format.TEXT));
        assertThat(m.dumperFor(new Derived(), null).oid()).isEqualTo(2);
    }

    @Test
    void loaderByTypeNameUsesTheRegistry() {
        AdaptersMap m = BuiltinAdapters.newMap();
        m.registerLoader("money", new FixedLoader("$", Format.TEXT));
        assertThat(m.loaderFor(790, Format.TEXT).load(ByteBuffer.allocate(0))).isEqualTo("$");
        m.registerLoader("timestamp with time zone", new FixedLoader("tz", Format.BINARY));
        assertThat(m.loaderFor(1184, Format.BINARY).load(ByteBuffer.allocate(0))).isEqualTo("tz");
        assertThatThrownBy(() -> m.registerLoader("nosuchtype", new FixedLoader("", Format.TEXT)))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("TypeInfo.fetch");
    }

    @Test
    void registryKnowsNamesAliasesAndArrays() {
        TypeRegistry r = BuiltinAdapters.newMap().types();
        assertThat(r.get("int4").oid()).isEqualTo(23);
        assertThat(r.get("integer").oid()).isEqualTo(23);
        assertThat(r.get("pg_catalog.int8").oid()).isEqualTo(20);
        assertThat(r.get("character varying").oid()).isEqualTo(1043);
        assertThat(r.get("char").oid()).isEqualTo(1042);
        assertThat(r.get("\"char\"").oid()).isEqualTo(18);
        assertThat(r.get("TIMESTAMP WITH TIME ZONE").oid()).isEqualTo(1184);
        assertThat(r.arrayOidOf(25)).isEqualTo(1009);
        assertThat(r.elementOfArray(1007).name()).isEqualTo("int4");
        assertThat(r.get("box").delimiter()).isEqualTo(';');
        assertThat(r.get("int4range").baseOid()).isEqualTo(23);
        assertThat(r.get("nosuch")).isNull();
    }

    @Test
    void unknownOidHasNoLoader() {
        assertThat(BuiltinAdapters.newMap().loaderFor(987654, Format.TEXT)).isNull();
    }

    @Test
    void listDumperIsUpgradedByElementType() {
        AdaptersMap m = BuiltinAdapters.newMap();
        Dumper<Object> d = m.dumperFor(List.of(1, 2), null);
        assertThat(d.oid()).isEqualTo(1007);
        assertThat(d.format()).isEqualTo(Format.BINARY);
        assertThat(m.dumperFor(List.of(1L), Format.TEXT).oid()).isEqualTo(1016);
        assertThat(m.dumperFor(List.of("a"), null).oid()).isEqualTo(0);
        assertThat(m.dumperFor(List.of("a"), Format.BINARY).oid()).isEqualTo(1009);
        assertThat(m.dumperFor(new String[] {"a"}, Format.BINARY).oid()).isEqualTo(1009);
        assertThat(m.dumperFor(new int[][] {{1}}, null).oid()).isEqualTo(1007);
        assertThat(m.dumperFor(new byte[0], null).oid()).isEqualTo(17);
    }
}
