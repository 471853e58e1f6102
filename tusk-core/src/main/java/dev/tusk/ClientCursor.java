package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.sql.Literal;

import java.util.List;
import java.util.stream.Stream;

/**
 * A cursor that merges the parameters into the query text on the client ({@link MergingCursor}), as psycopg's
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
public final class ClientCursor<R> extends Cursor<R> implements MergingCursor {
    ClientCursor(Connection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory, new ClientMerge(conn, "a ClientCursor"));
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
        NotSupportedException refused = merge().binaryRefused(options == null ? null : options.binary());
        if (refused != null) {
            throw refused;
        }
    }

    private ClientMerge merge() {
        return (ClientMerge) binder();
    }

    /** Always text, whatever the connection's default. */
    @Override
    public Boolean binary() {
        return Boolean.FALSE;
    }
}
