package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.sql.Literal;

import java.util.Map;

/**
 * A cursor that merges the parameters into the query text on the client, as psycopg's {@code ClientCursorMixin}:
 * {@link ClientCursor} and its non-blocking twin {@link AsyncClientCursor}. Values are quoted by the connection's
 * adapters exactly as {@link Literal} quotes them, so they cannot change the statement's structure; {@code mogrify}
 * shows the text a statement is sent as.
 *
 * <pre>{@code
 * MergingCursor cur = conn.clientCursor();
 * cur.mogrify("SET search_path TO %s", "app");       // SET search_path TO 'app'
 * }</pre>
 */
public sealed interface MergingCursor permits ClientCursor, AsyncClientCursor {
    /** The connection whose adapters quote the values. */
    AdaptContext connection();

    /**
     * The query as {@code execute(query)} sends it without parameters: unchanged, placeholders and {@code %%}
     * included, as psycopg's {@code mogrify(query)} with no params ({@code mogrify("select %%")} is
     * {@code "select %%"}). {@code mogrify(query, new Object[0])} processes the placeholders of an empty
     * parameter list instead ({@code "select %"}).
     */
    default String mogrify(String query) {
        return ClientMerge.mogrify(query);
    }

    /** The query as it would be sent: placeholders ({@code %s}, {@code %t}) replaced by quoted literals. */
    default String mogrify(String query, Object... params) {
        return ClientMerge.mogrify(query, params, connection());
    }

    /** As {@link #mogrify(String, Object...)} with {@code %(name)s} placeholders. */
    default String mogrify(String query, Map<String, ?> params) {
        return ClientMerge.merge(query, params, connection());
    }
}
