package dev.tusk;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

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
public final class ServerCursor<R> implements Iterable<R>, AutoCloseable {
    private final Connection<?> conn;
    private final ServerCursorSql sql;
    private final Cursor<R> fetcher;
    private Boolean scrollable;
    private boolean withhold;
    private int itersize = ServerCursorSql.DEFAULT_ITERSIZE;
    private boolean declared;
    private boolean closed;
    private long rownumber;
    private String statusmessage;
    /** Fetched from without execute(): a cursor declared by SQL under this name (psycopg's "stolen" cursor). */
    private boolean stolen;

    ServerCursor(Connection<?> conn, String name, RowFactory<R> factory) {
        this.sql = new ServerCursorSql(name);
        this.conn = conn;
        this.fetcher = new Cursor<>(conn, factory);
    }

    public String name() {
        return sql.name();
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

    /** Rows per FETCH while iterating (default 100). */
    public void setItersize(int itersize) {
        this.itersize = ServerCursorSql.checkItersize(itersize);
    }

    public int itersize() {
        return itersize;
    }

    /** Declares the cursor for {@code query} (closing a previous one of this object first). */
    public ServerCursor<R> execute(String query, Object... params) {
        checkOpen();
        if (conn.inPipeline()) { // as psycopg: its FETCHes could not follow the pipeline's error handling
            throw new dev.tusk.errors.NotSupportedException("server-side cursors are not supported in pipeline mode:"
                    + " declare the cursor after the pipeline block, or use execute() and fetch in the pipeline");
        }
        if (declared) {
            closeOnServer();
        }
        boolean asWritten = ServerCursorSql.asWritten(query, params);
        // the extended protocol all the same (one statement only, as psycopg: "select 1; select 2" refused), so a
        // '%' of the name is doubled: the query has none
        String declare = sql.declare(scrollable, withhold, query, false);
        if (asWritten) {
            fetcher.execute(declare, List.of(), ServerCursorSql.NOT_PREPARED);
        } else {
            fetcher.execute(declare, params);
        }
        statusmessage = fetcher.statusmessage();
        declared = true;
        stolen = false;
        rownumber = 0;
        fetcher.execute(sql.describe()); // description() known before the first fetch
        return this;
    }

    // SQL composition ---------------------------------------------------------------------------
    /**
     * Declares the cursor for a composed query ({@code dev.tusk.sql}). The asTemplate() text is used
     * ('%' inside names and values doubled): with no parameters it still reaches the server unchanged.
     */
    public ServerCursor<R> execute(dev.tusk.sql.Composable query, Object... params) {
        return execute(query.asTemplate(conn), params == null ? new Object[] {null} : params);
    }
    // end of SQL composition ------------------------------------------------------------------------

    public R fetchone() {
        List<R> rows = fetch(sql.fetchOne());
        return rows.isEmpty() ? null : rows.get(0);
    }

    public List<R> fetchmany(int size) {
        return fetch(sql.fetchMany(size));
    }

    public List<R> fetchall() {
        return fetch(sql.fetchAll());
    }

    /**
     * Fetches with {@code fetchSql}. Without execute() the name is taken for a cursor declared by SQL
     * ({@code DECLARE name CURSOR FOR ...}) when the session has one: fetched from as it is, and closed by
     * {@link #close()}; without one, the error says to call execute() first.
     */
    private List<R> fetch(String fetchSql) {
        checkOpen();
        if (!declared) {
            if (fetcher.execute(sql.exists()).fetchone() == null) {
                throw sql.notDeclaredError();
            }
            declared = true;
            stolen = true;
        }
        List<R> rows = fetcher.execute(fetchSql).fetchall();
        rownumber += rows.size();
        return rows;
    }

    /** Moves the cursor: "relative" (default) or "absolute", with MOVE on the server. */
    public void scroll(long value, String mode) {
        checkDeclared();
        String move = sql.move(value, mode);
        fetcher.execute(move);
        rownumber = ServerCursorSql.rownumberAfterMove(rownumber, value, mode);
    }

    /** Rows fetched so far through this object. */
    public long rownumber() {
        return rownumber;
    }

    public String statusmessage() {
        return statusmessage;
    }

    /** The columns of the cursor's rows, known from execute() on (before the first fetch), else null. */
    public List<Column> description() {
        return fetcher.description();
    }

    @Override
    public Iterator<R> iterator() {
        checkOpen();
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
                batch = fetchmany(itersize);
                i = 0;
                exhausted = batch.size() < itersize;
                return !batch.isEmpty();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.get(i++);
            }
        };
    }

    /** Closes the portal on the server (if the transaction still has it). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (declared && !conn.isClosed()) {
            closeOnServer();
        }
        fetcher.close();
    }

    private void closeOnServer() {
        declared = false;
        if (conn.pipelineStatus() != PipelineStatus.OFF) {
            if (conn.info().transactionStatus() != TransactionStatus.INERROR) {
                fetcher.execute(sql.closeIfExists());
            }
            return;
        }
        conn.lock.lock();
        try {
            conn.checkUsable();
            TransactionStatus s = conn.info().transactionStatus();
            if (s == TransactionStatus.INERROR) {
                return; // the failed transaction's rollback drops it
            }
            if (s == TransactionStatus.IDLE && !withhold && !stolen) {
                return; // a cursor without hold ended with its transaction (commit or rollback): nothing to close
            }
            // the cursor may already be gone (the transaction ended): closed only if it still exists, by a
            // statement of the driver's own that never opens a transaction (as psycopg's close)
            conn.runInternal(sql.closeIfExists());
        } finally {
            conn.lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw sql.closedError();
        }
    }

    private void checkDeclared() {
        checkOpen();
        if (!declared) {
            throw sql.notDeclaredError();
        }
    }
}
