package dev.tusk.internal.op;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.query.ParamBinder;
import dev.tusk.internal.query.QueryTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a kind of cursor turns a query and its parameters into what it sends, the same for the blocking and the
 * async cursors: psycopg's placeholders bound on the server ({@link #SERVER}, the plain cursors), the query as
 * written with {@code $n} placeholders ({@link #RAW}, the raw cursors), or the parameters merged into the text
 * on the client ({@link ClientMerge}, the client cursors). Each cursor holds its binder; the connections ask it for
 * the operation to run.
 */
public abstract class Binder {
    /** A statement for the extended protocol: the text with {@code $n} and the dumped parameters. */
    public record Bound(String sql, BoundParams params) {
    }

    /** {@code %s} / {@code %(name)s} placeholders turned into {@code $n}, the parameters sent apart from the SQL. */
    public static final Binder SERVER = new Binder() {
        @Override
        public Bound bind(String query, Object params, AdaptersMap adapters) {
            QueryTemplate t = QueryTemplate.of(query);
            return new Bound(t.sql(), ParamBinder.bind(t, params, adapters));
        }

        @Override
        public ExecuteMany many(Session session, String query, Iterable<?> paramSets, AdaptersMap adapters, int format,
                                boolean returning, Duration timeout) {
            QueryTemplate t = QueryTemplate.of(query);
            List<BoundParams> binds = new ArrayList<>();
            for (Object set : paramSets) {
                binds.add(ParamBinder.bind(t, ParamBinder.paramSet(set), adapters));
            }
            return binds.isEmpty() ? null : ExecuteMany.of(session, t.sql(), binds, format, returning, timeout, adapters);
        }

        /** As the general rule, without the intermediate {@link Bound}: this binder always has parameters to send. */
        @Override
        public Execute statement(Session session, String query, Object params, AdaptersMap adapters, int format,
                                 Boolean prepare, Duration timeout, Execute spare) {
            if (params == null) {
                return Execute.forUser(spare, session, query, null, format, prepare, timeout).readingWith(adapters);
            }
            QueryTemplate t = QueryTemplate.of(query);
            return Execute.forUserOnce(spare, session, t.sql(), ParamBinder.bind(t, params, adapters), format,
                    prepare, timeout).readingWith(adapters);
        }
    };

    /** The query as written, with PostgreSQL's own {@code $1} placeholders. */
    public static final Binder RAW = new Binder() {
        @Override
        public Bound bind(String query, Object params, AdaptersMap adapters) {
            return new Bound(query, ParamBinder.bindRaw(params, adapters));
        }

        @Override
        public ExecuteMany many(Session session, String query, Iterable<?> paramSets, AdaptersMap adapters, int format,
                                boolean returning, Duration timeout) {
            List<BoundParams> binds = new ArrayList<>();
            for (Object set : paramSets) {
                binds.add(ParamBinder.bindRaw(ParamBinder.paramSet(set), adapters));
            }
            return binds.isEmpty() ? null : ExecuteMany.of(session, query, binds, format, returning, timeout, adapters);
        }
    };

    /** What a cursor of this kind keeps of {@code setBinary(binary)}: every value, but for {@link ClientMerge}. */
    public Boolean acceptBinary(Boolean binary) {
        return binary;
    }

    /** {@code query} with {@code params} (an Object[] or a Map); a null {@link Bound#params()}: the SQL as written. */
    public abstract Bound bind(String query, Object params, AdaptersMap adapters);

    /**
     * executemany of {@code query} with every parameter set of {@code paramSets}; null when there is none.
     * {@code returning}: the rows of every execution are wanted.
     */
    public abstract ExecuteMany many(Session session, String query, Iterable<?> paramSets, AdaptersMap adapters,
                                     int format, boolean returning, Duration timeout);

    /**
     * One statement ({@code format} may be {@code PreparedStatements.AUTO_FORMAT}, chosen with {@code adapters}):
     * {@code params} null runs the query as written (several statements allowed outside a pipeline).
     */
    public final Execute statement(Session session, String query, Object params, AdaptersMap adapters, int format,
                                   Boolean prepare, Duration timeout) {
        return statement(session, query, params, adapters, format, prepare, timeout, null);
    }

    /**
     * {@link #statement(Session, String, Object, AdaptersMap, int, Boolean, Duration)} made of {@code spare} when not
     * null: a user's statement that ended and that nothing refers to any more ({@link Execute#reusable()}), made
     * what a new one would be.
     */
    public Execute statement(Session session, String query, Object params, AdaptersMap adapters, int format,
                             Boolean prepare, Duration timeout, Execute spare) {
        if (params == null) {
            return Execute.forUser(spare, session, query, null, format, prepare, timeout).readingWith(adapters);
        }
        Bound b = bind(query, params, adapters);
        return (b.params() == null ? Execute.forUser(spare, session, b.sql(), null, format, prepare, timeout).shownAs(query)
                : Execute.forUserOnce(spare, session, b.sql(), b.params(), format, prepare, timeout))
                .readingWith(adapters);
    }
}
