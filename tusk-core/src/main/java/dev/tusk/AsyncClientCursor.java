package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.sql.Literal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The non-blocking {@link ClientCursor}, as psycopg's {@code AsyncClientCursor}: parameters are merged
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
public final class AsyncClientCursor<R> extends AsyncCursor<R> {
    private final ClientMerge merge;

    AsyncClientCursor(AsyncConnection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory);
        this.merge = new ClientMerge(conn, "an AsyncClientCursor");
    }

    /** The parameters merged into the query as literals; the statement goes as written. */
    @Override
    Binder binder() {
        return merge;
    }

    /** As {@link ClientCursor#mogrify(String)}: the query unchanged, placeholders and {@code %%} included. */
    public String mogrify(String query) {
        return ClientMerge.mogrify(query);
    }

    /** As {@link ClientCursor#mogrify(String, Object...)}: placeholders replaced by quoted literals. */
    public String mogrify(String query, Object... params) {
        return merge.mogrify(query, params);
    }

    /** As {@link ClientCursor#mogrify(String, Map)}: {@code %(name)s} placeholders replaced by quoted literals. */
    public String mogrify(String query, Map<String, ?> params) {
        return merge.merge(query, params);
    }

    /** As {@link ClientCursor#setBinary(Boolean)}: true is refused, binary results needing the extended protocol. */
    @Override
    public void setBinary(Boolean binary) {
        super.setBinary(merge.textOnly(binary));
    }

    /**
     * As {@link AsyncCursor#execute(String, java.util.List, ExecuteOptions)}; {@code binary(true)} in the options fails
     * the future with {@link NotSupportedException}, as psycopg's {@code execute(..., binary=True)} on a client cursor.
     */
    @Override
    public CompletableFuture<AsyncCursor<R>> execute(String query, List<?> params,
                                                                         ExecuteOptions options) {
        NotSupportedException refused = merge.binaryRefused(options == null ? null : options.binary());
        if (refused != null) {
            return LoopFuture.failed(refused);
        }
        return super.execute(query, params, options);
    }

    /** Always text. */
    @Override
    public Boolean binary() {
        return Boolean.FALSE;
    }
}
