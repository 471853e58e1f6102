package dev.tusk.internal.op;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.internal.query.ParamBinder;
import dev.tusk.internal.query.QueryTemplate;
import dev.tusk.sql.Literal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The client cursors' rule (psycopg's {@code ClientCursorMixin}), written once for {@code ClientCursor} and
 * {@code AsyncClientCursor}: the parameters are merged into the query text as literals quoted by the connection's
 * adapters ({@link Literal}), the statement runs over the simple protocol, and results are text only. It is the
 * client cursors' {@link Binder}. Their {@code mogrify} is {@code dev.tusk.MergingCursor}'s, with these statics.
 */
public final class ClientMerge extends Binder {
    private final AdaptContext context;
    private final String cursorKind;

    /**
     * @param context    the connection whose adapters quote the values
     * @param cursorKind the cursor as the errors name it ("a ClientCursor", "an AsyncClientCursor")
     */
    public ClientMerge(AdaptContext context, String cursorKind) {
        this.context = context;
        this.cursorKind = cursorKind;
    }

    /** The parameters merged into the query as literals: the statement goes as written. */
    @Override
    public Bound bind(String query, Object params, AdaptersMap adapters) {
        return new Bound(merge(query, params), null);
    }

    /** executemany: one merged statement per parameter set. */
    @Override
    public ExecuteMany many(Session session, String query, Iterable<?> paramSets, AdaptersMap adapters, int format,
                            boolean returning, Duration timeout) {
        List<String> statements = new ArrayList<>();
        for (Object set : paramSets) {
            statements.add(merge(query, ParamBinder.paramSet(set)));
        }
        return statements.isEmpty() ? null : ExecuteMany.merged(session, statements, timeout).shownAs(query);
    }

    /** {@code mogrify(query)} without parameters: the query unchanged, placeholders and {@code %%} included. */
    public static String mogrify(String query) {
        return Objects.requireNonNull(query, "query");
    }

    /**
     * {@code mogrify(query, params...)} (and {@code copy(statement, params...)}) with the values quoted by
     * {@code context}'s adapters: a null array is one null parameter, as Java passes {@code (Object) null}.
     */
    public static String mogrify(String query, Object[] params, AdaptContext context) {
        return merge(query, params == null ? new Object[] {null} : params, context);
    }

    /** {@code params} an Object[] or a Map, as the connections pass parameters around. */
    public String merge(String query, Object params) {
        return merge(query, params, context);
    }

    /** Client-side binding with the values quoted by {@code context}'s adapters; also for COPY's statement. */
    public static String merge(String query, Object params, AdaptContext context) {
        QueryTemplate t = QueryTemplate.of(query);
        Object[] values = ParamBinder.values(t, params);
        String[] literals = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            if (t.format(i) == Format.BINARY) {
                throw new NotSupportedException("parameters merged on the client cannot be binary (%b): use %s or %t");
            }
            literals[i] = Literal.quote(values[i], context);
        }
        return t.merge(literals);
    }

    /** {@code setBinary(binary)}: {@code binary} when it is not true; true fails, results being text only. */
    @Override
    public Boolean acceptBinary(Boolean binary) {
        if (Boolean.TRUE.equals(binary)) {
            throw new NotSupportedException(cursorKind + " cannot return binary results: use conn.cursor() for that");
        }
        return binary;
    }

    /** What an execute asking {@code binary} results (its options' {@code binary()}) fails with; null unless true. */
    public NotSupportedException binaryRefused(Boolean binary) {
        if (Boolean.TRUE.equals(binary)) {
            return new NotSupportedException(cursorKind + " cannot return binary results (it runs the simple protocol):"
                    + " use conn.cursor() for binary(true)");
        }
        return null;
    }
}
