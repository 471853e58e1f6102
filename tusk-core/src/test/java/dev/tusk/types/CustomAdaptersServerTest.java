package dev.tusk.types;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.Tusk;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A registration on one connection or cursor changes that scope only, against a real server. */
@TuskTest
class CustomAdaptersServerTest {
    /** A user type dumped as text. */
    record Money(long cents) {
    }

    private static final Dumper<Money> MONEY = new Dumper<>() {
        @Override
        public ByteBuffer dump(Money m) {
            return ByteBuffer.wrap((m.cents() / 100 + "." + String.format("%02d", m.cents() % 100)).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int oid() {
            return 0;
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    /** Loads int4 as its text with a marker, to see which scope used it. */
    private static final Loader<String> MARKED_INT = new Loader<>() {
        @Override
        public String load(ByteBuffer data) {
            return "int:" + StandardCharsets.UTF_8.decode(data);
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    @Test
    void registrationsStayInTheirScope(TestDatabase db) {
        try (Connection<Row> a = Connection.connect(db.conninfo()); Connection<Row> b = Connection.connect(db.conninfo())) {
            a.adapters().registerDumper(Money.class, MONEY);
            a.adapters().registerLoader("int4", MARKED_INT);
            assertThat(a.execute("SELECT %s::numeric", new Money(1234)).fetchone().get(0)).hasToString("12.34");
            assertThat(a.execute("SELECT 7::int4").fetchone().get(0)).isEqualTo("int:7");

            assertThatThrownBy(() -> b.execute("SELECT %s::numeric", new Money(1))).isInstanceOf(ProgrammingException.class);
            assertThat(b.execute("SELECT 7::int4").fetchone().get(0)).isEqualTo(7);
            assertThat(Tusk.adapters().loaderFor(23, Format.TEXT)).isNotSameAs(MARKED_INT);

            Cursor<Row> plain = b.cursor();
            Cursor<Row> marked = b.cursor();
            marked.adapters().registerLoader(23, MARKED_INT);
            assertThat(marked.execute("SELECT 8::int4").fetchone().get(0)).isEqualTo("int:8");
            assertThat(plain.execute("SELECT 8::int4").fetchone().get(0)).isEqualTo(8);
            assertThat(b.cursor().execute("SELECT 8::int4").fetchone().get(0)).isEqualTo(8);
        }
    }
}
