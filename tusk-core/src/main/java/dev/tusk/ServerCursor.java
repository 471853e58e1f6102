package dev.tusk;

import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ServerCursorState;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A server-side cursor (a portal made with {@code DECLARE}): the result stays on the server and is
 * fetched in chunks, as psycopg's {@code ServerCursor}. Needs a transaction unless {@code withhold}.
 *
 * <pre>{@code
 * try (ServerCursor<Row> cur = conn.cursor("big")) {
 *     cur.setItersize(5000);
 *     cur.execute("SELECT * FROM big_table WHERE kind = %s", "x");
 *     for (Row r : cur) { ... }          // FETCH FORWARD 5000 at a time
 * }
 * }</pre>
 *
 * @param <R> the row type
 */
public sealed class ServerCursor<R> extends ServerCursorBase<R> implements Iterable<R>, AutoCloseable permits RawServerCursor {
    private final Connection<?> conn;

    /** {@code binder}: psycopg's placeholders bound on the server ({@code Binder.SERVER}), or raw. */
    ServerCursor(Connection<?> conn, String name, RowFactory<R> factory, Binder binder) {
        super(name, factory, conn.adaptersInUse(), binder);
        this.conn = conn;
    }

    /** The connection the cursor runs on. */
    public Connection<?> connection() {
        return conn;
    }

    /**
     * Declares the cursor for {@code query} (closing a previous one of this object first), and learns its columns.
     * Refused in pipeline mode ({@code NotSupportedException}), as psycopg.
     */
    public ServerCursor<R> execute(String query, Object... params) {
        step(s -> ServerCursorStep.declare(s, state, binder(), query, params, adapters(),
                conn.statementTimeout()));
        return this;
    }

    // SQL composition ---------------------------------------------------------------------------
    /**
     * Declares the cursor for a composed query ({@code dev.tusk.sql}). The asTemplate() text is used
     * ('%' inside names and values doubled): with no parameters it still reaches the server unchanged.
     */
    public ServerCursor<R> execute(Composable query, Object... params) {
        return execute(text(query, conn), params == null ? new Object[] {null} : params);
    }
    // end of SQL composition ------------------------------------------------------------------------

    /**
     * Refused with {@code NotSupportedException}, as psycopg: a server cursor holds the rows of one query; run
     * executemany on a client-side cursor ({@code conn.cursor()}).
     */
    public ServerCursor<R> executemany(String query, Iterable<?> paramSets) {
        throw state.executemanyError();
    }

    public R fetchone() {
        List<R> rows = fetch(1, true);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public List<R> fetchmany(int size) {
        return fetch(Math.max(0, size), true);
    }

    /** Up to {@link #arraysize()} next rows, as psycopg's {@code fetchmany()} without a size. */
    public List<R> fetchmany() {
        return fetchmany(state.arraysize());
    }

    /** This cursor once after execute (a server cursor has one result), none before, as psycopg's {@code results()}. */
    public List<ServerCursor<R>> results() {
        state.checkOpen();
        return state.shape() == null ? List.of() : List.of(this);
    }

    public List<R> fetchall() {
        return fetch(-1, true);
    }

    /**
     * FETCH FORWARD {@code size} (below 0: ALL). Without execute() the name is taken for a cursor declared by SQL
     * ({@code DECLARE name CURSOR FOR ...}) when the session has one: fetched from as it is, and closed by
     * {@link #close()}; without one, the error says to call execute() first.
     */
    private List<R> fetch(int size, boolean advance) {
        ServerCursorStep step = step(s -> ServerCursorStep.fetch(s, state, size, advance,
                conn.statementTimeout()));
        return rows(step.rows());
    }

    /** Moves the cursor: "relative" (default) or "absolute", with MOVE on the server. */
    public void scroll(long value, String mode) {
        step(s -> ServerCursorStep.move(s, state, value, mode, conn.statementTimeout()));
    }

    /**
     * The index of the next row to read (0 after execute), counted as rows are handed out, during iteration too,
     * and moved by {@link #scroll}; -1 before execute, as psycopg's None.
     */
    public long rownumber() {
        return state.rownumber();
    }

    /** The columns of the cursor's rows, known from execute() on (before the first fetch), else null. */
    public List<Column> description() {
        return columns();
    }

    @Override
    public Iterator<R> iterator() {
        state.checkOpen();
        return new Iterator<>() {
            private List<R> batch = List.of();
            private int i;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                if (i < batch.size()) {
                    return true;
                }
                if (exhausted) {
                    return false;
                }
                int size = state.itersize();
                batch = fetch(size, false);
                i = 0;
                exhausted = batch.size() < size;
                return !batch.isEmpty();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                state.advance(1); // counted as handed out, as psycopg
                return batch.get(i++);
            }
        };
    }

    /** Moves the cursor by {@code value} rows. */
    public void scroll(long value) {
        scroll(value, "relative");
    }

    /** Closes the portal on the server (if the transaction still has it). Idempotent. */
    @Override
    public void close() {
        ServerCursorState.Previous portal = state.closing();
        if (portal != null && !conn.isClosed()) {
            // a close waits for the lock as long as another thread's call runs: its CLOSE is not given up
            step(s -> ServerCursorStep.close(s, state, portal, conn.statementTimeout()), null);
        }
    }

    /** Runs a step of this cursor ({@code make} builds it for the connection's session) to its end; raises its failure. */
    private <O extends ServerCursorStep> O step(Function<Session, O> make) {
        return step(make, conn.statementTimeout());
    }

    /** As {@link #step(Function)}, waiting for the connection's lock at most {@code lockWait} (null: as long as it takes). */
    private <O extends ServerCursorStep> O step(Function<Session, O> make, Duration lockWait) {
        conn.use();
        return conn.statements.runCursorStep(make, lockWait);
    }
}
