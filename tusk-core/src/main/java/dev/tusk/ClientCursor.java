package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.sql.Literal;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A cursor that merges the parameters into the query text on the client, as psycopg's
 * {@code ClientCursor}: for the statements where the server takes no parameters ({@code SET},
 * {@code NOTIFY}, DDL, {@code COPY} options) and for tools that only speak the simple protocol (the
 * PgBouncer admin console). Values are quoted by the adapters exactly as {@link Literal} quotes them,
 * so they cannot change the statement's structure. The merged text runs over the simple protocol
 * (several statements allowed) and is never prepared; binary formats are not available.
 *
 * <pre>{@code
 * ClientCursor<Row> cur = conn.clientCursor();
 * cur.mogrify("SET search_path TO %s", "app");       // SET search_path TO 'app'
 * cur.execute("CREATE TABLE t (c text DEFAULT %s)", "it's");
 * }</pre>
 *
 * @param <R> the row type
 */
public final class ClientCursor<R> extends Cursor<R> {
    private final ClientMerge merge;

    ClientCursor(Connection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory);
        this.merge = new ClientMerge(conn, "a ClientCursor");
    }

    /** The parameters merged into the query as literals; the statement goes as written. */
    @Override
    Binder binder() {
        return merge;
    }

    /**
     * The query as {@code execute(query)} sends it without parameters: unchanged, placeholders and {@code %%}
     * included, as psycopg's {@code mogrify(query)} with no params ({@code mogrify("select %%")} is
     * {@code "select %%"}). {@code mogrify(query, new Object[0])} processes the placeholders of an empty
     * parameter list instead ({@code "select %"}).
     */
    public String mogrify(String query) {
        return ClientMerge.mogrify(query);
    }

    /** The query as it would be sent: placeholders ({@code %s}, {@code %t}) replaced by quoted literals. */
    public String mogrify(String query, Object... params) {
        return merge.mogrify(query, params);
    }

    /** As {@link #mogrify(String, Object...)} with {@code %(name)s} placeholders. */
    public String mogrify(String query, Map<String, ?> params) {
        return merge.merge(query, params);
    }

    /** Binary results need the extended protocol, which a client-side cursor does not use. */
    @Override
    public void setBinary(Boolean binary) {
        super.setBinary(merge.textOnly(binary));
    }

    /**
     * As {@link Cursor#execute(String, List, ExecuteOptions)}; {@code binary(true)} in the options is refused
     * ({@link NotSupportedException}, as psycopg's {@code execute(..., binary=True)} on a {@code ClientCursor}).
     */
    @Override
    public Cursor<R> execute(String query, List<?> params, ExecuteOptions options) {
        refuseBinary(options);
        return super.execute(query, params, options);
    }

    /** As {@link Cursor#stream(String, java.util.List, ExecuteOptions, boolean)}; {@code binary(true)} is refused. */
    @Override
    public Stream<R> stream(String query, List<?> params, ExecuteOptions options, boolean keepRest) {
        refuseBinary(options);
        return super.stream(query, params, options, keepRest);
    }

    private void refuseBinary(ExecuteOptions options) {
        NotSupportedException refused = merge.binaryRefused(options == null ? null : options.binary());
        if (refused != null) {
            throw refused;
        }
    }

    /** Always text, whatever the connection's default. */
    @Override
    public Boolean binary() {
        return Boolean.FALSE;
    }
}
