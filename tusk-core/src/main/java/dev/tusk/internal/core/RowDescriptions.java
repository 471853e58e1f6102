package dev.tusk.internal.core;

import dev.tusk.adapt.ResultColumn;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.wire.Payload;

import java.util.List;

/** Decodes the body of RowDescription. */
final class RowDescriptions {
    private RowDescriptions() {
    }

    /** The columns of a RowDescription, each made by {@code factory}. */
    static List<ResultColumn> parse(Payload p, ColumnFactory factory) {
        int n = p.int16();
        if (n < 0) {
            throw new OperationalException("protocol violation: RowDescription with " + n + " columns");
        }
        if (n == 0) {
            return ResultData.ZERO_COLUMNS; // rows of no columns, not a command result
        }
        ResultColumn[] cols = new ResultColumn[n];
        for (int i = 0; i < n; i++) {
            String name = p.cstring();
            int table = p.int32();
            int attnum = p.int16();
            int type = p.int32();
            int size = p.int16();
            int mod = p.int32();
            int format = p.int16();
            cols[i] = factory.column(name, table, attnum, type, size, mod, format);
        }
        return List.of(cols);
    }
}
