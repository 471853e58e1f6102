package dev.tusk;

import dev.tusk.internal.async.AsyncFutures;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ServerCursorState;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.sql.Composable;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A server-side cursor of an {@link AsyncConnection}: psycopg's {@code AsyncServerCursor}. The result
 * stays on the server (a portal made with {@code DECLARE}) and is fetched in chunks; every operation
 * returns a future. The steps are the blocking {@link ServerCursor}'s. Needs a
 * transaction unless {@code withhold}: outside autocommit the DECLARE opens one, as any statement does.
 *
 * <p>Each call sends its statement at once, in order with everything submitted before on the connection,
 * so {@code execute} and the fetches after it may be called without waiting (the DECLARE runs first);
 * the futures complete in that order too. Row numbers and {@link #description()} follow the completions.
 *
 * <pre>{@code
 * AsyncServerCursor<Row> cur = conn.cursor("big");
 * cur.setItersize(5000);
 * cur.execute("SELECT * FROM big_table WHERE kind = %s", "x")
 *    .thenCompose(c -> c.forEach(row -> process(row)))       // FETCH FORWARD 5000 at a time
 *    .whenComplete((v, e) -> cur.close());
 * }</pre>
 *
 * @param <R> the row type
 */
public sealed class AsyncServerCursor<R> extends ServerCursorBase<R> implements AutoCloseable permits AsyncRawServerCursor {
    private final AsyncConnection<?> conn;

    /** {@code binder}: psycopg's placeholders bound on the server ({@code Binder.SERVER}), or raw. */
    AsyncServerCursor(AsyncConnection<?> conn, String name, RowFactory<R> factory, Binder binder) {
        super(name, factory, conn.adaptersInUse(), binder);
        this.conn = conn;
    }

    public AsyncConnection<?> connection() {
        return conn;
    }

    /**
     * Declares the cursor for {@code query} ({@code %s} placeholders bound to {@code params}; without
     * parameters and {@code %} sent as written), closing a previous one of this object first. The future
     * completes with this cursor once the server has declared it (its columns known). Fails in pipeline mode
     * ({@code NotSupportedException}), as psycopg.
     */
    public CompletableFuture<AsyncServerCursor<R>> execute(String query, Object... params) {
        Object[] p = params == null ? new Object[] {null} : params;
        return step(s -> ServerCursorStep.declare(s, state, binder(), query, p, adapters(),
                conn.statementTimeout()), step -> this);
    }

    /**
     * Declares the cursor for a composed query ({@code dev.tusk.sql}), as
     * {@link ServerCursor#execute(dev.tusk.sql.Composable, Object...)}.
     */
    public CompletableFuture<AsyncServerCursor<R>> execute(Composable query, Object... params) {
        return execute(text(query, conn), params == null ? new Object[] {null} : params);
    }

    /**
     * A future failed with {@code NotSupportedException}, as psycopg: a server cursor holds the rows of one query;
     * run executemany on a client-side cursor ({@code conn.cursor()}).
     */
    public CompletableFuture<AsyncServerCursor<R>> executemany(String query, Iterable<?> paramSets) {
        return LoopFuture.failed(state.executemanyError());
    }

    /** The next row, or null when there is none ({@code FETCH FORWARD 1}). */
    public CompletableFuture<R> fetchone() {
        return fetch(1).thenApply(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** Up to {@code size} next rows ({@code FETCH FORWARD size}). */
    public CompletableFuture<List<R>> fetchmany(int size) {
        return fetch(Math.max(0, size));
    }

    /** Up to {@link #arraysize()} next rows, as psycopg's {@code fetchmany()} without a size. */
    public CompletableFuture<List<R>> fetchmany() {
        return fetchmany(state.arraysize());
    }

    /** This cursor once after execute (a server cursor has one result), none before, as psycopg's {@code results()}. */
    public List<AsyncServerCursor<R>> results() {
        state.checkOpen();
        return state.shape() == null ? List.of() : List.of(this);
    }

    /** Every remaining row ({@code FETCH FORWARD ALL}). */
    public CompletableFuture<List<R>> fetchall() {
        return fetch(-1);
    }

    /**
     * FETCH FORWARD {@code size} (below 0: ALL). Without execute() the name is taken for a cursor declared by SQL
     * ({@code DECLARE name CURSOR FOR ...}) when the session has one: fetched from as it is, and closed by
     * {@link #closeAsync()}; without one, the error says to call execute() first.
     */
    private CompletableFuture<List<R>> fetch(int size) {
        return fetch(size, true);
    }

    private CompletableFuture<List<R>> fetch(int size, boolean advance) {
        return step(s -> ServerCursorStep.fetch(s, state, size, advance, conn.statementTimeout()),
                step -> rows(step.rows()));
    }

    /**
     * Calls {@code action} with every remaining row, fetching {@link #itersize()} rows at a time (the next
     * chunk is asked for once the previous one was handed out). The action runs on the event loop: it
     * must not block. The future fails with the first error, from the server or the action.
     */
    public CompletableFuture<Void> forEach(Consumer<? super R> action) {
        try {
            state.checkDeclared();
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return AsyncFutures.settle(forEachFrom(action, state.itersize()));
    }

    private CompletableFuture<Void> forEachFrom(Consumer<? super R> action, int chunk) {
        return fetch(chunk, false).thenCompose(rows -> {
            for (R row : rows) {
                state.advance(1); // counted as handed out, as psycopg
                action.accept(row);
            }
            return rows.size() < chunk ? CompletableFuture.completedFuture(null) : forEachFrom(action, chunk);
        });
    }

    /** Moves the cursor by {@code value} rows. */
    public CompletableFuture<Void> scroll(long value) {
        return scroll(value, "relative");
    }

    /**
     * Moves the cursor with MOVE on the server: {@code mode} "relative" (by {@code value} rows) or
     * "absolute" (to row {@code value}; 0 is before the first row). Backwards needs a scrollable cursor.
     */
    public CompletableFuture<Void> scroll(long value, String mode) {
        return step(s -> ServerCursorStep.move(s, state, value, mode, conn.statementTimeout()),
                step -> null);
    }

    /**
     * The index of the next row to read (0 after execute), counted as rows are handed out (by {@link #forEach} one
     * by one) and moved by {@link #scroll}, as the completed statements say; -1 before execute, as psycopg's None.
     */
    public long rownumber() {
        return state.rownumber();
    }

    /** The columns of the cursor's rows, known once execute() completed (or of the rows fetched last); else null. */
    public List<Column> description() {
        return columns();
    }

    /** Starts closing the portal on the server (if the transaction still has it) and returns at once. Idempotent. */
    @Override
    public void close() {
        closeAsync();
    }

    /**
     * As {@link #close()}; the future completes once the server has closed the portal (at once when there
     * is nothing to close). Statements submitted before it run first.
     */
    public CompletableFuture<Void> closeAsync() {
        ServerCursorState.Previous portal = state.closing();
        if (portal == null || conn.isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        return AsyncFutures.settle(step(s -> ServerCursorStep.close(s, state, portal,
                conn.statementTimeout()), step -> null));
    }

    /** Runs a step of this cursor ({@code make} builds it for the session, on the loop) and maps its outcome. */
    private <O extends ServerCursorStep, T> CompletableFuture<T> step(Function<Session, O> make, Function<O, T> outcome) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runCursorStep(conn.lease(), make, outcome);
    }
}
