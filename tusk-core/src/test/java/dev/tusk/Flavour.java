package dev.tusk;

import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The two drivers a shared test body runs on: the blocking {@link Connection} and the non-blocking
 * {@link AsyncConnection}. A failed future is unwrapped, so both flavours throw the same exception.
 */
enum Flavour {
    BLOCKING {
        @Override
        Session open(ConnectOptions<Row> options) {
            Connection<Row> c = Connection.connect(options);
            return new Session() {
                @Override
                public List<Row> rows(String sql, List<?> params, ExecuteOptions opts) {
                    Cursor<Row> cur = params == null ? c.execute(sql) : c.execute(sql, params, opts);
                    return cur.description() == null ? List.of() : cur.fetchall();
                }

                @Override
                public void commit() {
                    c.commit();
                }

                @Override
                public void rollback() {
                    c.rollback();
                }

                @Override
                public void close() {
                    c.close();
                }

                @Override
                public ConnectionInfo info() {
                    return c.info();
                }

                @Override
                public boolean isBroken() {
                    return c.isBroken();
                }

                @Override
                public boolean isClosed() {
                    return c.isClosed();
                }
            };
        }

        @Override
        String queryOnce(ConnectOptions<Row> options, String sql) {
            try (Connection<Row> c = Connection.connect(options)) {
                return c.execute(sql).fetchone().getString(0);
            }
        }
    },
    ASYNC {
        @Override
        Session open(ConnectOptions<Row> options) {
            AsyncConnection<Row> c = join(AsyncConnection.connect(options));
            return new Session() {
                @Override
                public List<Row> rows(String sql, List<?> params, ExecuteOptions opts) {
                    AsyncCursor<Row> cur = join(params == null ? c.execute(sql) : c.execute(sql, params, opts));
                    return cur.description() == null ? List.of() : cur.fetchall();
                }

                @Override
                public void commit() {
                    join(c.commit());
                }

                @Override
                public void rollback() {
                    join(c.rollback());
                }

                @Override
                public void close() {
                    join(c.closeAsync());
                }

                @Override
                public ConnectionInfo info() {
                    return c.info();
                }

                @Override
                public boolean isBroken() {
                    return c.isBroken();
                }

                @Override
                public boolean isClosed() {
                    return c.isClosed();
                }
            };
        }

        @Override
        String queryOnce(ConnectOptions<Row> options, String sql) {
            return join(AsyncConnection.connect(options)
                    .thenCompose(c -> c.execute(sql).thenApply(cur -> cur.fetchone().getString(0))
                            .whenComplete((v, e) -> c.close())));
        }
    };

    /** Opens a connection of this flavour. */
    abstract Session open(ConnectOptions<Row> options);

    /** The result of a future, or the exception it failed with, unwrapped. */
    static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** What a shared test body does with a connection of either flavour; failures throw as the blocking driver does. */
    interface Session extends AutoCloseable {
        /** Runs {@code sql}: {@code params} null means the simple protocol. Returns every row (none without a result). */
        List<Row> rows(String sql, List<?> params, ExecuteOptions opts);

        default List<Row> rows(String sql) {
            return rows(sql, null, ExecuteOptions.DEFAULT);
        }

        /** Runs {@code sql} with {@code %s} placeholders. */
        default List<Row> rows(String sql, Object... params) {
            return rows(sql, java.util.Arrays.asList(params), ExecuteOptions.DEFAULT);
        }

        /** The first row of {@link #rows(String, Object...)}. */
        default Row one(String sql, Object... params) {
            return params.length == 0 ? rows(sql).get(0) : rows(sql, params).get(0);
        }

        void commit();

        void rollback();

        ConnectionInfo info();

        /** True when the connection was lost rather than closed by the user. */
        boolean isBroken();

        boolean isClosed();

        @Override
        void close();
    }

    /** Connects with {@code options}, runs {@code sql}, returns the first column of its first row as text, closes. */
    abstract String queryOnce(ConnectOptions<Row> options, String sql);
}
