package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.op.Binder;
import dev.tusk.sql.Literal;

import java.util.Map;

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
    AsyncClientCursor(AsyncConnection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory);
    }

    private final Binder binder = Binder.client(this::merge);

    /** The parameters merged into the query as literals; the statement goes as written. */
    @Override
    Binder binder() {
        return binder;
    }

    /**
     * The query as {@code execute(query)} sends it without parameters: unchanged, placeholders and {@code %%}
     * included, as psycopg's {@code mogrify(query)} with no params ({@code mogrify("select %%")} is
     * {@code "select %%"}). {@code mogrify(query, new Object[0])} processes the placeholders of an empty
     * parameter list instead ({@code "select %"}).
     */
    public String mogrify(String query) {
        return java.util.Objects.requireNonNull(query, "query");
    }

    /** The query as it would be sent: placeholders ({@code %s}, {@code %t}) replaced by quoted literals. */
    public String mogrify(String query, Object... params) {
        return merge(query, params == null ? new Object[] {null} : params);
    }

    /** As {@link #mogrify(String, Object...)} with {@code %(name)s} placeholders. */
    public String mogrify(String query, Map<String, ?> params) {
        return merge(query, params);
    }

    /** Binary results need the extended protocol, which a client-side cursor does not use. */
    @Override
    public void setBinary(Boolean binary) {
        if (Boolean.TRUE.equals(binary)) {
            throw new NotSupportedException("an AsyncClientCursor cannot return binary results: use conn.cursor() for that");
        }
        super.setBinary(binary);
    }

    /**
     * As {@link AsyncCursor#execute(String, java.util.List, ExecuteOptions)}; {@code binary(true)} in the options fails
     * the future with {@link NotSupportedException}, as psycopg's {@code execute(..., binary=True)} on a client cursor.
     */
    @Override
    public java.util.concurrent.CompletableFuture<AsyncCursor<R>> execute(String query, java.util.List<?> params,
                                                                         ExecuteOptions options) {
        if (options != null && Boolean.TRUE.equals(options.binary())) {
            return dev.tusk.internal.io.LoopFuture.failed(new NotSupportedException("an AsyncClientCursor cannot return"
                    + " binary results (it runs the simple protocol): use conn.cursor() for binary(true)"));
        }
        return super.execute(query, params, options);
    }

    /** Always text. */
    @Override
    public Boolean binary() {
        return Boolean.FALSE;
    }

    /** Object[] or Map, as {@link AsyncConnection} passes parameters around. */
    String merge(String query, Object params) {
        AsyncConnection<?> conn = connection();
        return ClientCursor.merge(query, params, v -> new Literal(v).asString(conn));
    }
}
