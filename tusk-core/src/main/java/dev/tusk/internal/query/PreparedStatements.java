package dev.tusk.internal.query;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.ResultColumn;
import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.ColumnFactory;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.types.ResultFormats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, per query text and parameter types, whether to use the unnamed statement or a named prepared
 * one, as psycopg does: a query is prepared on the execution after it has run {@code threshold} times
 * (0: at once; null: never automatically). At most {@code max} statements stay prepared; the least
 * recently used is closed on the server.
 *
 * <p>Not thread-safe: used under the connection's lock.
 */
public final class PreparedStatements {
    /** Set by the connection's setters from any thread; read under the connection's lock. */
    private volatile Integer threshold;
    private volatile int max;
    private final Map<Key, Integer> counts = new LinkedHashMap<>(16, 0.75f, true);
    /** Per prepared statement, the decision that runs it again (its name, no Parse): made once, not per execution. */
    private final LinkedHashMap<Key, Decision> prepared = new LinkedHashMap<>(16, 0.75f, true);
    private final List<String> toClose = new ArrayList<>();
    /** Per prepared statement name, the result columns for text [0] and binary [1] results, once seen. */
    private final Map<String, List<? extends ResultColumn>[]> described = new HashMap<>();
    /** Per prepared statement name, the result formats last chosen automatically, and what they were chosen with. */
    private final Map<String, AutoChoice> autoFormats = new HashMap<>();
    private int nextId;
    /** What makes the columns of a statement received in binary for text (the session's, as the core's). */
    private final ColumnFactory columnFactory;

    /**
     * The result format of a statement that asked for text without forcing it (no {@code binary} choice
     * anywhere): once the statement is prepared and its columns known, each column comes in binary when its
     * value reads exactly the same as text ({@link ResultFormats}), else in text.
     */
    public static final int AUTO_FORMAT = -1;

    /**
     * The columns of a prepared statement as received with automatic formats (null: all in text), chosen with
     * {@code adapters} at {@code version}, the session's DateStyle and whether its TimeZone had an exact Java zone.
     */
    private record AutoChoice(AdaptersMap adapters, int version, boolean isoDateStyle, String timeZone,
                              boolean exactZone, List<? extends ResultColumn> columns, int[] formats) {
    }

    /** A cache whose columns are {@link ColumnFactory#PLAIN}'s, as a core's before a connection hands its own. */
    public PreparedStatements(Integer threshold, int max) {
        this(threshold, max, ColumnFactory.PLAIN);
    }

    /** A cache that makes the columns of a statement received in binary for text with {@code columnFactory}. */
    public PreparedStatements(Integer threshold, int max, ColumnFactory columnFactory) {
        this.threshold = threshold;
        this.max = Math.max(0, max);
        this.columnFactory = columnFactory;
    }

    /** Executions of a query before it is prepared; null: never automatically. */
    public Integer threshold() {
        return threshold;
    }

    /** Changes the threshold for the executions that follow (the counts so far are kept). */
    public void threshold(Integer threshold) {
        this.threshold = threshold;
    }

    /** How many statements stay prepared. */
    public int max() {
        return max;
    }

    /**
     * Changes how many statements stay prepared, from any thread: when lowered, the least recently used ones
     * beyond it are closed on the server with the next statement, as psycopg's maintenance does.
     * 0 stops preparing.
     */
    public void max(int max) {
        this.max = Math.max(0, max);
    }

    /** What to do for one execution. */
    public record Decision(String name, boolean needsParse, Key key) {
        public static final Decision UNNAMED = new Decision("", true, null);

        public boolean isNamed() {
            return !name.isEmpty();
        }
    }

    /** The cache key: the query text and the parameter types. */
    public record Key(String sql, int[] oids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.sql.equals(sql) && Arrays.equals(k.oids, oids);
        }

        @Override
        public int hashCode() {
            return sql.hashCode() * 31 + Arrays.hashCode(oids);
        }
    }

    /**
     * The key {@link #decide} made last: a statement run again with the same text and oid array (the shared one of
     * a single parameter, {@code BoundParams.oneOid}) reuses it instead of making one per execution.
     */
    private Key lastKey;
    /**
     * The decision {@link #decide} found for {@link #lastKey} among the prepared statements, while none of them was
     * added or removed since: the same statement again skips the map (its hash of the oids and its reordering: it is
     * the most recently used already). Null otherwise.
     */
    private Decision lastAgain;

    /**
     * @param prepare null: follow the threshold; true: prepare now; false: never
     */
    public Decision decide(String sql, int[] oids, Boolean prepare) {
        if (prepared.size() > max) {
            evictBeyondMax(); // max was lowered: the statements beyond it are closed with this round trip
        }
        if (Boolean.FALSE.equals(prepare) || max == 0) {
            return Decision.UNNAMED;
        }
        Key key = lastKey;
        if (key == null || key.sql != sql || key.oids != oids) { // the same statement again: its key again
            key = lastKey = new Key(sql, oids);
            lastAgain = null;
        } else if (lastAgain != null) {
            return lastAgain;
        }
        Decision again = prepared.get(key);
        if (again != null) {
            lastAgain = again;
            return again;
        }
        boolean should = Boolean.TRUE.equals(prepare);
        if (!should && threshold != null) {
            int count = counts.getOrDefault(key, 0);
            should = count >= threshold;
            if (!should) {
                counts.put(key, count + 1);
                if (counts.size() > max * 4 + 16) {
                    var it = counts.keySet().iterator();
                    it.next();
                    it.remove();
                }
            }
        }
        if (!should) {
            return Decision.UNNAMED;
        }
        return new Decision("_tusk_" + (nextId++), true, key);
    }

    /** The named statement was parsed successfully: remember it, evicting the least recently used. */
    public void prepared(Decision d) {
        if (!d.isNamed() || !d.needsParse()) {
            return;
        }
        counts.remove(d.key());
        lastAgain = null;
        prepared.put(d.key(), new Decision(d.name(), false, d.key()));
        evictBeyondMax();
    }

    /** Closes (with the next round trip) the least recently used statements beyond {@code max}. */
    private void evictBeyondMax() {
        while (prepared.size() > max) {
            lastAgain = null;
            var it = prepared.entrySet().iterator();
            String evicted = it.next().getValue().name();
            toClose.add(evicted);
            described.remove(evicted);
            autoFormats.remove(evicted);
            it.remove();
        }
    }

    /** The statement failed in a way that may have left it unprepared or invalid: forget it. */
    public void invalidate(Decision d) {
        if (d.key() != null) {
            lastAgain = null;
            Decision forgotten = prepared.remove(d.key());
            if (forgotten != null) {
                toClose.add(forgotten.name());
                described.remove(forgotten.name());
                autoFormats.remove(forgotten.name());
            }
        }
    }

    /** The server forgot every statement (DISCARD ALL, DEALLOCATE ALL): forget them too. */
    public void clear() {
        lastAgain = null;
        prepared.clear();
        counts.clear();
        toClose.clear();
        described.clear();
        autoFormats.clear();
    }

    /**
     * The result columns of a prepared statement in a result format, as a Describe showed them; null until
     * then. Executions that know them skip the Describe (less work for the server, fewer bytes).
     */
    private List<? extends ResultColumn> described(String name, int format) {
        List<? extends ResultColumn>[] byFormat = described.get(name);
        return byFormat == null ? null : byFormat[format];
    }

    @SuppressWarnings("unchecked")
    private void described(String name, int format, List<? extends ResultColumn> columns) {
        if (prepared.values().stream().anyMatch(d -> d.name().equals(name))) {
            described.computeIfAbsent(name, k -> new List[2])[format] = columns;
        }
    }

    /**
     * The command that runs {@code sql} as {@code d} decided, closing the statements evicted since the last
     * one. A statement prepared and described before, run once outside a pipeline, goes without Describe,
     * with the columns seen then.
     */
    public ExtendedQuery command(String sql, Decision d, List<BoundParams> binds, int format, boolean describe,
                                 boolean sync, boolean pipelined) {
        return command(sql, d, binds, format, null, false, describe, sync, pipelined);
    }

    /**
     * {@link #command(String, Decision, List, int, boolean, boolean, boolean)}, where {@code format} may be
     * {@link #AUTO_FORMAT}: a statement prepared and described before then asks for each column in binary or text
     * as {@code adapters} (the ones that will load the rows, read now: a loader registered since counts) and the
     * session's DateStyle ({@code isoDateStyle}) allow; otherwise in text.
     */
    public ExtendedQuery command(String sql, Decision d, List<BoundParams> binds, int format, AdaptersMap adapters,
                                 boolean isoDateStyle, boolean describe, boolean sync, boolean pipelined) {
        return command(sql, d, binds, format, adapters, isoDateStyle, null, describe, sync, pipelined);
    }

    /**
     * {@link #command(String, Decision, List, int, AdaptersMap, boolean, boolean, boolean, boolean)}, timestamptz
     * columns included in binary when the session's {@code TimeZone} ({@code timeZone}, null to keep them in
     * text) has an exact Java zone ({@link ResultFormats#zone}); their rows are shown in the zone reported when
     * they arrive.
     */
    public ExtendedQuery command(String sql, Decision d, List<BoundParams> binds, int format, AdaptersMap adapters,
                                 boolean isoDateStyle, String timeZone, boolean describe, boolean sync,
                                 boolean pipelined) {
        if (format == AUTO_FORMAT) {
            format = 0;
            AutoChoice auto = describe && adapters != null && d.isNamed() && !d.needsParse()
                    ? autoColumns(d.name(), adapters, isoDateStyle, timeZone) : null;
            if (auto != null && auto.columns() != null) {
                boolean known = binds.size() == 1 && !pipelined;
                return new ExtendedQuery(sql, d.name(), false, binds, 0, !known, sync, takeToClose())
                        .columnFormats(auto.formats()).knownColumns(known ? auto.columns() : null);
            }
        }
        List<? extends ResultColumn> known = describe && d.isNamed() && !d.needsParse() && binds.size() == 1 && !pipelined
                ? described(d.name(), format) : null;
        return new ExtendedQuery(sql, d.name(), d.needsParse(), binds, format, describe && known == null, sync,
                takeToClose()).knownColumns(known);
    }

    /**
     * The columns of prepared statement {@code name} with automatic formats (their columns null when every one
     * stays in text), or null when its columns are not known yet; chosen again when the adapters or the DateStyle
     * changed.
     */
    private AutoChoice autoColumns(String name, AdaptersMap adapters, boolean isoDateStyle, String timeZone) {
        int version = adapters.version();
        AutoChoice c = autoFormats.get(name);
        if (c != null && c.timeZone() == timeZone && c.adapters() == adapters && c.version() == version
                && c.isoDateStyle() == isoDateStyle) {
            // the same TimeZone setting (the very String the session keeps until the server reports another): the
            // same exact zone or none, not looked up again per execution
            return c;
        }
        boolean exactZone = ResultFormats.zone(timeZone) != null;
        if (c != null && c.adapters() == adapters && c.version() == version && c.isoDateStyle() == isoDateStyle
                && c.exactZone() == exactZone) {
            c = new AutoChoice(adapters, version, isoDateStyle, timeZone, exactZone, c.columns(), c.formats());
            autoFormats.put(name, c);
            return c;
        }
        List<? extends ResultColumn> text = described(name, 0);
        if (text == null) {
            return null; // described in binary only, or not yet: text now, which describes it in text
        }
        ResultColumn[] out = text.toArray(new ResultColumn[0]);
        int[] formats = new int[out.length];
        boolean any = false;
        for (int i = 0; i < out.length; i++) {
            if (ResultFormats.binaryReadsAsText(out[i].typeOid(), adapters, isoDateStyle, timeZone)) {
                out[i] = columnFactory.receivedInBinary(out[i]);
                formats[i] = 1;
                any = true;
            }
        }
        c = new AutoChoice(adapters, version, isoDateStyle, timeZone, exactZone, any ? List.of(out) : null, formats);
        autoFormats.put(name, c);
        return c;
    }

    /** Statements to close on the server with the next round trip; the list is emptied. */
    public List<String> takeToClose() {
        if (toClose.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(toClose);
        toClose.clear();
        return out;
    }

    public int size() {
        return prepared.size();
    }

    /**
     * Keeps the cache in step with what the server did with {@code cmd}, run as {@code d} decided (null for a
     * statement that is not cached: simple queries): a success prepares and remembers the columns, DISCARD ALL
     * or DEALLOCATE ALL empties the cache, a failure forgets the statement, and an error saying the server's
     * statements and ours disagree (26000, a stale plan) starts again from nothing.
     *
     * @return true when the cache was emptied
     */
    public boolean afterStatement(QueryCommand cmd, Decision d) {
        TuskException e = cmd.error();
        if (e == null) {
            if (d != null) {
                prepared(d);
                if (d.isNamed() && cmd instanceof ExtendedQuery q && q.describes() && q.resultFormat() >= 0
                        && cmd.resultCount() == 1) {
                    described(d.name(), q.resultFormat(), cmd.result(0).columns());
                }
            }
            boolean reset = false;
            for (int i = 0, n = cmd.resultCount(); i < n; i++) { // indexed, without the list: nothing made per statement
                String tag = cmd.result(i).commandTag();
                if ("DISCARD ALL".equals(tag) || "DEALLOCATE ALL".equals(tag)) {
                    clear();
                    reset = true;
                } else if (!reset && invalidatesPlans(tag) && !prepared.isEmpty()) {
                    forgetAll();
                    reset = true;
                }
            }
            return reset;
        }
        if (e instanceof PipelineAborted) {
            // skipped by the server after an earlier error in the pipeline: nothing ran, not even its Closes
            if (cmd instanceof ExtendedQuery q) {
                toClose.addAll(q.closesFirst());
            }
            return false;
        }
        if (d != null && d.isNamed()) {
            invalidate(d);
        }
        if ("26000".equals(e.sqlstate()) || isStalePlan(e)) {
            clear();
            return true;
        }
        if (isStaleType(e)) {
            forgetAll();
            return true;
        }
        return false;
    }

    /**
     * A command after which the statements prepared so far may name objects that are gone or changed, as psycopg
     * judges it ({@code DROP}, {@code ALTER}, {@code ROLLBACK}, {@code DISCARD}): a type dropped and created again
     * (or rolled back) has a new oid that a plan prepared earlier does not know ("cache lookup failed for type").
     */
    static boolean invalidatesPlans(String tag) {
        return tag != null && (tag.startsWith("DROP ") || tag.startsWith("ALTER ") || tag.equals("ROLLBACK")
                || tag.startsWith("DISCARD"));
    }

    /**
     * Forgets every prepared statement, closing them on the server with the next round trip: the next execution
     * of each prepares it again (psycopg clears its cache the same way, with DEALLOCATE ALL).
     */
    public void forgetAll() {
        for (Decision d : prepared.values()) {
            toClose.add(d.name());
        }
        lastAgain = null;
        prepared.clear();
        counts.clear();
        described.clear();
        autoFormats.clear();
    }

    /** The server no longer finds an object a prepared plan names (a type dropped and created again: XX000). */
    public static boolean isStaleType(TuskException e) {
        return "XX000".equals(e.sqlstate()) && e.getMessage() != null && e.getMessage().contains("cache lookup failed");
    }

    /** The server refused a cached plan because the statement's result type changed (ALTER TABLE...). */
    public static boolean isStalePlan(TuskException e) {
        return "0A000".equals(e.sqlstate()) && e.getMessage() != null
                && e.getMessage().contains("cached plan must not change result type");
    }
}
