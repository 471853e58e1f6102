package dev.tusk.jdbc.internal;

import dev.tusk.Cursor;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.internal.rows.RowAccess;

/** Tusk's {@link RowAccess} for this driver's rows: live rows without a Stream, values read from their bytes. */
final class TuskRows {
    @SuppressWarnings("unchecked") // dev.tusk's implementation is typed so (RowAccess cannot name dev.tusk's classes)
    static final RowAccess.Hooks<Row, Cursor<Row>, ExecuteOptions> ROWS =
            (RowAccess.Hooks<Row, Cursor<Row>, ExecuteOptions>) RowAccess.hooks();

    private TuskRows() {
    }
}
