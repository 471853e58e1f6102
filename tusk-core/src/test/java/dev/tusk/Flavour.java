package dev.tusk;

import java.util.concurrent.CompletionException;

/**
 * The two drivers a shared test body runs on: the blocking {@link Connection} and the non-blocking
 * {@link AsyncConnection}. A failed future is unwrapped, so both flavours throw the same exception.
 */
enum Flavour {
    BLOCKING {
        @Override
        String queryOnce(ConnectOptions<Row> options, String sql) {
            try (Connection<Row> c = Connection.connect(options)) {
                return c.execute(sql).fetchone().getString(0);
            }
        }
    },
    ASYNC {
        @Override
        String queryOnce(ConnectOptions<Row> options, String sql) {
            try {
                return AsyncConnection.connect(options)
                        .thenCompose(c -> c.execute(sql).thenApply(cur -> cur.fetchone().getString(0))
                                .whenComplete((v, e) -> c.close()))
                        .join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw e;
            }
        }
    };

    /** Connects with {@code options}, runs {@code sql}, returns the first column of its first row as text, closes. */
    abstract String queryOnce(ConnectOptions<Row> options, String sql);
}
