package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.ServerCursorState;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rows of a server-side cursor's FETCHes, for {@link ServerCursor} and {@link AsyncServerCursor}: the row
 * factory's maker is built once per result (per DECLARE, or for an adopted cursor at its first FETCH), as psycopg,
 * not once per FETCH. Used by one thread at a time (the caller's, or the event loop).
 */
final class ServerCursorRows<R> {
    private final RowFactory<R> factory;
    /** The connection's adapters as they were when the cursor was made (psycopg's copy-on-write maps). */
    private final Supplier<AdaptersMap> adapters;
    /** The result the maker was built for. */
    private ResultData madeFor;
    private RowFactory.RowMaker<R> maker;

    ServerCursorRows(RowFactory<R> factory, AdaptersMap adapters) {
        this.factory = factory;
        this.adapters = adapters.snapshot();
    }

    /** The adapters the cursor reads and binds with: its connection's as they were when it was made. */
    AdaptersMap adapters() {
        return adapters.get();
    }

    /** The rows of {@code fetched}, a FETCH of the cursor whose state is {@code state}. */
    List<R> rows(ResultData fetched, ServerCursorState state) {
        ResultData shape = state.shape();
        if (maker == null || shape != madeFor) {
            madeFor = shape;
            maker = factory.maker(Column.asColumns(fetched.columns()));
        }
        int n = fetched.rowCount();
        if (n == 0) {
            return new ArrayList<>(0);
        }
        ResultView view = new ResultView(fetched, adapters.get());
        List<R> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(maker.make(new Row(view, i)));
        }
        return out;
    }

    /** The columns of the cursor's rows, once known (after the DECLARE, or the first FETCH of an adopted cursor). */
    static List<Column> description(ServerCursorState state) {
        ResultData shape = state.shape();
        return shape == null ? null : Column.asColumns(shape.columns());
    }
}
