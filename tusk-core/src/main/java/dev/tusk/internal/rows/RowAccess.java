package dev.tusk.internal.rows;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.ResultColumn;
import dev.tusk.internal.InstalledHooks;
import dev.tusk.internal.core.ResultData;

import java.math.BigDecimal;

/**
 * What a driver built on Tusk (tusk-jdbc) may do that applications may not: read a statement's rows without a
 * {@code Stream} around them, and read a row's values from the bytes they arrived in (a getter that knows a
 * column's {@link ColumnReaders reader} reads them without the per-value dispatch of the row's own getters); and what
 * this package's {@link ResultView} needs of {@code dev.tusk} (a column's name). Installed by {@code dev.tusk.Row}.
 * Exported to {@code dev.tusk.jdbc} only.
 */
public final class RowAccess {
    /**
     * Implemented in package dev.tusk, which installs it. Typed by its implementation ({@code dev.tusk.Row},
     * {@code dev.tusk.Cursor<Row>}, {@code dev.tusk.ExecuteOptions}), so that this package refers to nothing of
     * dev.tusk (which refers to this one).
     */
    public interface Hooks<ROW, CURSOR, OPTIONS> {
        /**
         * {@code cursor.stream(query, params, options, keepRest)}'s rows, without the Stream; {@code params} (null:
         * none, the simple protocol) are read as the statement starts and not kept: the caller may change them after.
         */
        LiveRows<ROW> stream(CURSOR cursor, String query, Object[] params, OPTIONS options, boolean keepRest);

        /**
         * Asks the server to cancel the statement {@code cursor} started last, only while it is the one the
         * connection runs (its rows still streaming, or being read into memory before the next statement): once
         * another operation started the request is dropped, and one starting while it is on its way waits until the
         * server handled it, so it never stops another statement. Returns once the server took it (or at the
         * connection's connect_timeout, else 10 s).
         */
        void cancel(CURSOR cursor);

        /** The array holding the values of {@code row}. */
        byte[] chunk(ROW row);

        /**
         * Where the value of column {@code col} starts in {@link #chunk}; its length ({@link RowAccess#length}) is
         * the big-endian int in the 4 bytes before it.
         */
        int offset(ROW row, int col);

        /** Per column of the row's result, its {@link ColumnReaders} code (shared: read only). */
        byte[] readers(ROW row);

        /**
         * The value of a {@link ColumnReaders#BINARY_NUMERIC} column as Tusk's loader reads it, when it is a
         * well-formed finite numeric; null otherwise (NaN, an infinity, malformed bytes: the general path raises
         * what it raises).
         */
        BigDecimal numeric(byte[] chunk, int offset, int length);

        /** The name of {@code column}, a column of a result ({@code dev.tusk.Column}): {@link ResultView}'s index by name. */
        String columnName(ResultColumn column);

        /**
         * The adapters the next cursors and statements of {@code connection} (a {@code dev.tusk.Connection} or
         * {@code AsyncConnection}) use: a pool lease's own once its {@code adapters()} made them, else the
         * connection's. Unlike {@code adapters()} it makes nothing and does not mark a lease used: for a driver that
         * looks at them on every statement (tusk-jdbc's), so that a lease that registers nothing allocates nothing.
         */
        AdaptersMap adaptersInUse(Object connection);
    }

    private static final InstalledHooks<Hooks<?, ?, ?>> HOOKS = new InstalledHooks<>("dev.tusk.Row");

    private RowAccess() {
    }

    /** Called by the class initialisation of dev.tusk's implementation. */
    public static void install(Hooks<?, ?, ?> hooks) {
        HOOKS.install(hooks);
    }

    /** dev.tusk's implementation, initialised (so installed) on first use. */
    public static Hooks<?, ?, ?> hooks() {
        return HOOKS.get();
    }

    /** The length of the value at {@code offset} of {@code chunk} (see {@link Hooks#offset}), -1 for NULL. */
    public static int length(byte[] chunk, int offset) {
        return ResultData.valueLength(chunk, offset);
    }
}
