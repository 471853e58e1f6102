package dev.tusk.internal.core;

import dev.tusk.adapt.ResultColumn;
import dev.tusk.internal.core.ColumnFactory.Description;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The columns the core makes of a RowDescription: its own without a connection, the connection's factory's after. */
class ColumnFactoryTest {
    private final ProtocolCore core = new ProtocolCore();

    private void feed(BackendBytes reply) {
        byte[] bytes = reply.bytes();
        core.input().append(bytes, 0, bytes.length);
        core.process();
    }

    /** The body of a RowDescription of one int4 column {@code i} of table 16384 (attribute 2), in {@code format}. */
    private static byte[] described(int format) {
        return new BackendBytes.Body().i16(1).cstr("i").i32(16384).i16(2).i32(23).i16(4).i32(-1).i16(format).bytes();
    }

    @Test
    void withoutAConnectionTheCoreDescribesColumnsWithItsOwnDescriptions() {
        SimpleQuery q = new SimpleQuery("SELECT i FROM t");
        core.send(q);
        feed(BackendBytes.reply().msg('T', described(0)).tag("SELECT 0").ready('I'));
        List<? extends ResultColumn> columns = q.results().get(0).columns();
        assertThat(columns).hasSize(1);
        assertThat(columns.get(0)).isEqualTo(new Description("i", 16384, 2, 23, 4, -1, 0, 0));
    }

    /** Makes {@link Description}s, keeping each one it made. */
    private static final class Recording implements ColumnFactory {
        final List<ResultColumn> made = new ArrayList<>();

        @Override
        public ResultColumn column(String name, int tableOid, int tableColumn, int typeOid, int internalSize,
                                   int typeModifier, int formatCode) {
            return keep(PLAIN.column(name, tableOid, tableColumn, typeOid, internalSize, typeModifier, formatCode));
        }

        @Override
        public ResultColumn receivedInBinary(ResultColumn column) {
            assertThat(made).contains(column);
            return keep(PLAIN.receivedInBinary(column));
        }

        private ResultColumn keep(ResultColumn c) {
            made.add(c);
            return c;
        }
    }

    @Test
    void theFactoryTheConnectionHandsMakesEveryColumnTheResultKeeps() {
        Recording factory = new Recording();
        core.session().columnFactory(factory);
        SimpleQuery q = new SimpleQuery("SELECT i FROM t");
        core.send(q);
        feed(BackendBytes.reply().msg('T', described(0)).row("7").tag("SELECT 1").ready('I'));
        assertThat(factory.made).hasSize(1);
        assertThat(q.results().get(0).columns().get(0)).isSameAs(factory.made.get(0));
    }

    @Test
    void aColumnReceivedInBinaryForTextIsMadeAgainByTheSameFactory() {
        Recording factory = new Recording();
        core.session().columnFactory(factory);
        ExtendedQuery q = new ExtendedQuery("SELECT i FROM t", "s", false, BoundParams.NONE, 0, true)
                .columnFormats(new int[] {1});
        core.send(q);
        feed(BackendBytes.reply().bindComplete().msg('T', described(1)).tag("SELECT 0").ready('I'));
        assertThat(q.error()).isNull();
        assertThat(factory.made).hasSize(2);
        ResultColumn c = q.results().get(0).columns().get(0);
        assertThat(c).isSameAs(factory.made.get(1));
        assertThat(c.formatCode()).as("asked in text").isZero();
        assertThat(c.wireFormatCode()).as("came in binary").isEqualTo(1);
    }
}
