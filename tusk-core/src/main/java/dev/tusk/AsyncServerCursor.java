package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.io.LoopFuture;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A server-side cursor of an {@link AsyncConnection}: psycopg's {@code AsyncServerCursor}. The result
 * stays on the server (a portal made with {@code DECLARE}) and is fetched in chunks; every operation
 * returns a future. The SQL is the blocking {@link ServerCursor}'s ({@link ServerCursorSql}). Needs a
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
public final class AsyncServerCursor<R> implements AutoCloseable {
    private final AsyncConnection<?> conn;
    private final RowFactory<R> factory;
    private final ServerCursorSql sql;
    private volatile Boolean scrollable;
    private volatile boolean withhold;
    private volatile int itersize = ServerCursorSql.DEFAULT_ITERSIZE;
    /** Set when execute() is called, so that fetches submitted right after it are allowed. */
    private volatile boolean declared;
    /** Fetched from without execute(): a cursor declared by SQL under this name (psycopg's "stolen" cursor). */
    private volatile boolean stolen;
    private volatile boolean closed;
    private final AtomicLong rownumber = new AtomicLong();
    private volatile String statusmessage;
    private volatile List<Column> description;

    AsyncServerCursor(AsyncConnection<?> conn, String name, RowFactory<R> factory) {
        this.sql = new ServerCursorSql(name);
        this.conn = conn;
        this.factory = factory;
    }

    public String name() {
        return sql.name();
    }

    public AsyncConnection<?> connection() {
        return conn;
    }

    /** SCROLL (true), NO SCROLL (false) or the server's default (null); set before execute. */
    public void setScrollable(Boolean scrollable) {
        this.scrollable = scrollable;
    }

    public Boolean scrollable() {
        return scrollable;
    }

    /** WITH HOLD: the cursor survives the transaction's commit; set before execute. */
    public void setWithhold(boolean withhold) {
        this.withhold = withhold;
    }

    public boolean withhold() {
        return withhold;
    }

    /** Rows per FETCH in {@link #forEach} (default 100); fails with ProgrammingException below 1. */
    public void setItersize(int itersize) {
        this.itersize = ServerCursorSql.checkItersize(itersize);
    }

    public int itersize() {
        return itersize;
    }

    /**
     * Declares the cursor for {@code query} ({@code %s} placeholders bound to {@code params}; without
     * parameters and {@code %} sent as written), closing a previous one of this object first. The future
     * completes with this cursor once the server has declared it.
     */
    public CompletableFuture<AsyncServerCursor<R>> execute(String query, Object... params) {
        if (closed) {
            return LoopFuture.failed(sql.closedError());
        }
        if (query == null) {
            return LoopFuture.failed(new ProgrammingException("execute() needs a query to declare the cursor for"));
        }
        Object[] p = params == null ? new Object[] {null} : params;
        boolean asWritten = ServerCursorSql.asWritten(query, p);
        String declare = sql.declare(scrollable, withhold, query, false); // '%' of the name doubled: extended protocol
        if (declared) {
            closeOnServer(); // sent first; a failure shows as the DECLARE's ("cursor already exists")
        }
        declared = true;
        stolen = false;
        description = null;
        rownumber.set(0);
        AsyncCursor<R> cur = new AsyncCursor<>(conn, factory);
        // the extended protocol all the same: one statement only, as psycopg ("select 1; select 2" refused)
        CompletableFuture<AsyncCursor<R>> sent = asWritten ? cur.execute(declare, List.of(), ServerCursorSql.NOT_PREPARED)
                : cur.execute(declare, p);
        // queued right behind the DECLARE, before anything the caller sends next: the columns before the first fetch
        CompletableFuture<AsyncCursor<R>> described = new AsyncCursor<>(conn, factory).execute(sql.describe());
        return AsyncFutures.settle(sent.handle((c, e) -> {
            if (e != null) {
                declared = false;
                throw AsyncFutures.rethrow(e);
            }
            statusmessage = c.statusmessage();
            return this;
        }).thenCompose(self -> described.handle((d, e) -> {
            if (e == null && description == null) {
                description = d.description();
            }
            return self;
        })));
    }

    /**
     * Declares the cursor for a composed query ({@code dev.tusk.sql}), as
     * {@link ServerCursor#execute(dev.tusk.sql.Composable, Object...)}.
     */
    public CompletableFuture<AsyncServerCursor<R>> execute(dev.tusk.sql.Composable query, Object... params) {
        return execute(query.asTemplate(conn), params == null ? new Object[] {null} : params);
    }

    /** The next row, or null when there is none ({@code FETCH FORWARD 1}). */
    public CompletableFuture<R> fetchone() {
        return fetch(sql::fetchOne).thenApply(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** Up to {@code size} next rows ({@code FETCH FORWARD size}). */
    public CompletableFuture<List<R>> fetchmany(int size) {
        return fetch(() -> sql.fetchMany(size));
    }

    /** Every remaining row ({@code FETCH FORWARD ALL}). */
    public CompletableFuture<List<R>> fetchall() {
        return fetch(sql::fetchAll);
    }

    /**
     * Fetches with {@code fetchSql}. Without execute() the name is taken for a cursor declared by SQL
     * ({@code DECLARE name CURSOR FOR ...}) when the session has one: fetched from as it is, and closed by
     * {@link #closeAsync()}; without one, the error says to call execute() first.
     */
    private CompletableFuture<List<R>> fetch(java.util.function.Supplier<String> fetchSql) {
        if (closed) {
            return LoopFuture.failed(notUsable());
        }
        if (!declared) {
            return AsyncFutures.settle(new AsyncCursor<>(conn, Rows.tuple()).execute(sql.exists()).thenCompose(c -> {
                if (c.fetchone() == null) {
                    throw new java.util.concurrent.CompletionException(sql.notDeclaredError());
                }
                if (!declared) {
                    declared = true;
                    stolen = true;
                }
                return fetch(fetchSql);
            }));
        }
        // a cursor per statement: results of fetches in flight together never mix
        AsyncCursor<R> cur = new AsyncCursor<>(conn, factory);
        return AsyncFutures.settle(cur.execute(fetchSql.get()).thenApply(c -> {
            List<R> rows = c.fetchall();
            rownumber.addAndGet(rows.size());
            description = c.description();
            return rows;
        }));
    }

    /**
     * Calls {@code action} with every remaining row, fetching {@link #itersize()} rows at a time (the next
     * chunk is asked for once the previous one was handed out). The action runs on the event loop: it
     * must not block. The future fails with the first error, from the server or the action.
     */
    public CompletableFuture<Void> forEach(Consumer<? super R> action) {
        if (!declared || closed) {
            return LoopFuture.failed(notUsable());
        }
        return AsyncFutures.settle(forEachFrom(action, itersize));
    }

    private CompletableFuture<Void> forEachFrom(Consumer<? super R> action, int chunk) {
        return fetchmany(chunk).thenCompose(rows -> {
            rows.forEach(action);
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
        if (!declared || closed) {
            return LoopFuture.failed(notUsable());
        }
        String move;
        try {
            move = sql.move(value, mode);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return AsyncFutures.settle(new AsyncCursor<>(conn, factory).execute(move).thenApply(c -> {
            rownumber.updateAndGet(n -> ServerCursorSql.rownumberAfterMove(n, value, mode));
            return null;
        }));
    }

    /** Why a fetch or scroll cannot run now (closed, or not declared yet). */
    private ProgrammingException notUsable() {
        return closed ? sql.closedError() : sql.notDeclaredError();
    }

    /** Rows fetched so far through this object (moved by {@link #scroll}), as the completed statements say. */
    public long rownumber() {
        return rownumber.get();
    }

    /** The DECLARE's command tag ("DECLARE CURSOR") once it completed. */
    public String statusmessage() {
        return statusmessage;
    }

    /** The columns of the cursor's rows, known once execute() completed (or of the rows fetched last); else null. */
    public List<Column> description() {
        return description;
    }

    public boolean isClosed() {
        return closed;
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
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        closed = true;
        if (!declared || conn.isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        return closeOnServer();
    }

    /** CLOSE if the cursor still exists; nothing in a failed transaction, whose rollback drops it. */
    private CompletableFuture<Void> closeOnServer() {
        declared = false;
        String close = sql.closeIfExists();
        boolean held = withhold || stolen;
        // nothing in a failed transaction, nor outside one for a cursor without hold (it ended with its transaction)
        return AsyncFutures.settle(conn.runOwn(idle -> new AsyncConnection.OwnStatement(
                conn.expectedStatus() == 'E' || (idle && !held) ? null : close, null)));
    }
}
