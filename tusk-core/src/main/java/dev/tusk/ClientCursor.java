package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.query.ParamBinder;
import dev.tusk.internal.query.QueryTemplate;
import dev.tusk.sql.Literal;

import java.util.Map;

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
    ClientCursor(Connection<?> conn, RowFactory<R> rowFactory) {
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
            throw new NotSupportedException("a ClientCursor cannot return binary results: use conn.cursor() for that");
        }
        super.setBinary(binary);
    }

    /**
     * As {@link Cursor#execute(String, List, ExecuteOptions)}; {@code binary(true)} in the options is refused
     * ({@link NotSupportedException}, as psycopg's {@code execute(..., binary=True)} on a {@code ClientCursor}).
     */
    @Override
    public Cursor<R> execute(String query, java.util.List<?> params, ExecuteOptions options) {
        refuseBinary(options);
        return super.execute(query, params, options);
    }

    /** As {@link Cursor#stream(String, java.util.List, ExecuteOptions, boolean)}; {@code binary(true)} is refused. */
    @Override
    public java.util.stream.Stream<R> stream(String query, java.util.List<?> params, ExecuteOptions options, boolean keepRest) {
        refuseBinary(options);
        return super.stream(query, params, options, keepRest);
    }

    private static void refuseBinary(ExecuteOptions options) {
        if (options != null && Boolean.TRUE.equals(options.binary())) {
            throw new NotSupportedException("a ClientCursor cannot return binary results (it runs the simple protocol):"
                    + " use conn.cursor() for binary(true)");
        }
    }

    /** Always text, whatever the connection's default. */
    @Override
    public Boolean binary() {
        return Boolean.FALSE;
    }

    /** Object[] or Map, as {@link Connection} passes parameters around. */
    String merge(String query, Object params) {
        return merge(query, params, connection());
    }

    /** Client-side binding, also for COPY, whose statement the server cannot parametrize. */
    static String merge(String query, Object params, Connection<?> conn) {
        return merge(query, params, v -> Literal.quote(v, conn));
    }

    /** Client-side binding with {@code quote} writing each value as an SQL literal. */
    static String merge(String query, Object params, java.util.function.Function<Object, String> quote) {
        QueryTemplate t = QueryTemplate.of(query);
        Object[] values = ParamBinder.values(t, params);
        String[] literals = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            if (t.format(i) == dev.tusk.adapt.Format.BINARY) {
                throw new NotSupportedException("parameters merged on the client cannot be binary (%b): use %s or %t");
            }
            literals[i] = quote.apply(values[i]);
        }
        return t.merge(literals);
    }
}
