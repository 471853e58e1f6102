package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ServerCursorState;
import dev.tusk.internal.rows.ResultView;
import dev.tusk.sql.Composable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@link ServerCursor} and {@link AsyncServerCursor} have alike, written once: the settings, the position and
 * the shape kept in their {@link ServerCursorState}, the rows of their FETCHes (the row factory's maker built once
 * per result), and how a kind of server cursor
 * binds its parameters. The operations (blocking, or returning futures) are each cursor's.
 *
 * @param <R> the row type
 */
abstract sealed class ServerCursorBase<R> permits ServerCursor, AsyncServerCursor {
    final ServerCursorState state;
    /** How this kind of server cursor binds its parameters: psycopg's placeholders on the server, or raw. */
    private final Binder binder;
    private final RowFactory<R> factory;
    /** The connection's adapters as they were when the cursor was made (psycopg's copy-on-write maps). */
    private final Supplier<AdaptersMap> adapters;
    /**
     * The result {@link #maker} was built for: once per result (per DECLARE, or for an adopted cursor at its first
     * FETCH), as psycopg, not once per FETCH. Used by one thread at a time (the caller's, or the event loop).
     */
    private ResultData madeFor;
    private RowFactory.RowMaker<R> maker;

    ServerCursorBase(String name, RowFactory<R> factory, AdaptersMap adapters, Binder binder) {
        this.state = new ServerCursorState(name);
        this.binder = binder;
        this.factory = factory;
        this.adapters = adapters.snapshot();
    }

    public String name() {
        return state.name();
    }

    final Binder binder() {
        return binder;
    }

    /**
     * The text a composed query ({@code dev.tusk.sql}) is declared with: its asTemplate() text ('%' inside names and
     * values doubled, so that with no parameters it still reaches the server unchanged), or as it is for a raw cursor.
     */
    final String text(Composable query, AdaptContext conn) {
        return binder() == Binder.RAW ? query.asString(conn) : query.asTemplate(conn);
    }

    /** The adapters the cursor reads and binds with: its connection's as they were when it was made. */
    final AdaptersMap adapters() {
        return adapters.get();
    }

    /** The rows of {@code fetched}, a FETCH of this cursor. */
    final List<R> rows(ResultData fetched) {
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

    /**
     * The columns of the cursor's rows (its {@code description()}), known once execute() completed, or for an
     * adopted cursor those of the rows fetched last; else null. Declared by each cursor, so that its public
     * {@code description()} keeps its generic type (a public method inherited from this package-private class
     * would reach callers through a raw bridge).
     */
    final List<Column> columns() {
        ResultData shape = state.shape();
        return shape == null ? null : Column.asColumns(shape.columns());
    }

    /** SCROLL (true), NO SCROLL (false) or the server's default (null); set before execute. */
    public void setScrollable(Boolean scrollable) {
        state.scrollable(scrollable);
    }

    public Boolean scrollable() {
        return state.scrollable();
    }

    /** WITH HOLD: the cursor survives the transaction's commit; set before execute. */
    public void setWithhold(boolean withhold) {
        state.withhold(withhold);
    }

    public boolean withhold() {
        return state.withhold();
    }

    /**
     * Rows per FETCH while iterating ({@code ServerCursor}'s iterator, {@code AsyncServerCursor}'s {@code forEach};
     * default 100); fails with ProgrammingException below 1.
     */
    public void setItersize(int itersize) {
        state.itersize(itersize);
    }

    public int itersize() {
        return state.itersize();
    }

    /** Rows per {@code fetchmany()} without a size (default 1, as DB-API). */
    public int arraysize() {
        return state.arraysize();
    }

    /** Sets the rows per {@code fetchmany()} without a size; fails with ProgrammingException below 1. */
    public void setArraysize(int n) {
        state.arraysize(n);
    }

    /** False: a server cursor has one result, as psycopg's {@code nextset()} on it. */
    public boolean nextset() {
        state.checkOpen();
        return false;
    }

    /**
     * -1, as psycopg's server cursors: the server does not say how many rows the cursor's query has, and a
     * FETCH does not change it. {@code rownumber()} counts the rows read.
     */
    public long rowcount() {
        return -1;
    }

    /** The DECLARE's command tag ("DECLARE CURSOR") once it completed. */
    public String statusmessage() {
        return state.statusmessage();
    }

    /** True once {@code close()} was called. */
    public boolean isClosed() {
        return state.isClosed();
    }
}
