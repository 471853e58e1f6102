package dev.tusk;

import dev.tusk.internal.core.NumericWire;
import dev.tusk.internal.rows.LiveRows;
import dev.tusk.internal.rows.RowAccess;

import java.math.BigDecimal;
import java.util.List;

/** What {@link RowAccess} lets a driver do ({@link RowAccess.Hooks}); installed by its class initialisation. */
final class RowHooks implements RowAccess.Hooks<Row, Cursor<Row>, ExecuteOptions> {
    static {
        RowAccess.install(new RowHooks());
    }

    private RowHooks() {
    }

    @Override
    public LiveRows<Row> stream(Cursor<Row> cursor, String query, List<?> params, ExecuteOptions options, boolean keepRest) {
        return cursor.liveRows(query, params, options, keepRest);
    }

    @Override
    public byte[] chunk(Row row) {
        return row.view().data.data(row.index());
    }

    @Override
    public int offset(Row row, int col) {
        return row.view().data.offset(row.index(), col);
    }

    @Override
    public byte[] readers(Row row) {
        return row.view().readers();
    }

    @Override
    public BigDecimal numeric(byte[] chunk, int offset, int length) {
        return NumericWire.toBigDecimal(chunk, offset, length);
    }
}
