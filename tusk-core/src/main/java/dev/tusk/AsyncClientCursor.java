package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.sql.Literal;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The non-blocking {@link ClientCursor} ({@link MergingCursor}), as psycopg's {@code AsyncClientCursor}: parameters are merged
 * into the query text on the client, quoted by the connection's adapters as {@link Literal} quotes them,
 * and the text runs over the simple protocol (several statements allowed, never prepared, text results).
 *
 * <pre>{@code
 * AsyncClientCursor<Row> cur = conn.clientCursor();
 * cur.mogrify("SET search_path TO %s", "app");       // SET search_path TO 'app'
 * cur.execute("NOTIFY jobs, %s", "it's done").join();
 * }</pre>
 *
 * @param <R> the row type
 */
public final class AsyncClientCursor<R> extends AsyncCursor<R> implements MergingCursor {
    AsyncClientCursor(AsyncConnection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory, new ClientMerge(conn, "an AsyncClientCursor"));
    }

    /**
     * As {@link AsyncCursor#execute(String, java.util.List, ExecuteOptions)}; {@code binary(true)} in the options fails
     * the future with {@link NotSupportedException}, as psycopg's {@code execute(..., binary=True)} on a client cursor.
     */
    @Override
    public CompletableFuture<AsyncCursor<R>> execute(String query, List<?> params,
                                                                         ExecuteOptions options) {
        NotSupportedException refused = merge().binaryRefused(options == null ? null : options.binary());
        if (refused != null) {
            return LoopFuture.failed(refused);
        }
        return super.execute(query, params, options);
    }

    private ClientMerge merge() {
        return (ClientMerge) binder();
    }

    /** Always text. */
    @Override
    public Boolean binary() {
        return Boolean.FALSE;
    }
}
