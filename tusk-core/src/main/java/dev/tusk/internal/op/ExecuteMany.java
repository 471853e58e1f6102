package dev.tusk.internal.op;

import dev.tusk.TransactionStatus;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.query.InsertRewriter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * executemany (psycopg's {@code _executemany_gen_*}), the same for both drivers: every parameter set in one
 * round trip, decided on the thread acting for the connection.
 * <ul>
 * <li>a plain multi-row-able INSERT without RETURNING, outside a pipeline, becomes the chunks of
 * {@link InsertRewriter} (multi-row INSERTs), written together and ended by one Sync: all or nothing;</li>
 * <li>otherwise one statement executed once per parameter set (Parse once, Bind/Execute per set, one Sync),
 * as {@link Execute} runs it (prepared statements, stale-plan retry);</li>
 * <li>a client-side cursor's statements, each set merged into its own: one simple query holding them all, or
 * in a pipeline (one statement per message) one unsynced statement each.</li>
 * </ul>
 * The results are those of all the statements, in order; the first error is the batch's.
 */
public final class ExecuteMany extends Operation {
    private final Session session;
    /** The statements of a batch, or null when the parameter sets go to one statement ({@link #single}). */
    private final List<String> statements;
    private final List<InsertRewriter.Chunk> chunks;
    private final Execute single;

    private Execute[] parts;
    private QueryCommand begin;
    private TuskException failure;
    private boolean commitsOnItsOwn;
    /** The text listeners see: the query with placeholders (a client-side cursor's statements have values merged in). */
    private String shownSql;

    private ExecuteMany(Session session, List<String> statements, List<InsertRewriter.Chunk> chunks, Execute single,
                        Duration timeout) {
        super(timeout);
        this.session = session;
        this.statements = statements;
        this.chunks = chunks;
        this.single = single;
    }

    /**
     * The parameter sets {@code binds} of {@code sql} ({@code $n} placeholders, at least one set); {@code returning}:
     * the rows of every execution are wanted (no rewriting then).
     */
    public static ExecuteMany of(Session session, String sql, List<BoundParams> binds, int format, boolean returning,
                                 Duration timeout) {
        return of(session, sql, binds, format, returning, timeout, null);
    }

    /** {@link #of(Session, String, List, int, boolean, Duration)} whose rows {@code adapters} will load (automatic formats). */
    public static ExecuteMany of(Session session, String sql, List<BoundParams> binds, int format, boolean returning,
                                 Duration timeout, AdaptersMap adapters) {
        InsertRewriter rewriter = returning || binds.size() < 2 ? null : InsertRewriter.of(sql, binds.get(0).size());
        Execute single = Execute.extended(session, sql, binds, format, null, returning, timeout).readingWith(adapters);
        return new ExecuteMany(session, null, rewriter == null ? null : rewriter.chunks(binds), single, timeout);
    }

    /** A client-side cursor's statements, one per parameter set (at least one). */
    public static ExecuteMany merged(Session session, List<String> statements, Duration timeout) {
        return new ExecuteMany(session, statements, null, null, timeout);
    }

    @Override
    public Command start() {
        pipe = session.pipeline();
        if (statements != null) {
            if (pipe == null) {
                StringBuilder all = new StringBuilder();
                for (String st : statements) {
                    all.append(st).append(";\n");
                }
                parts = new Execute[] {Execute.simple(session, all.toString(), 0, null, timeout())};
                return parts[0].start(); // one simple query: one round trip
            }
            parts = new Execute[statements.size()];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = new Execute(session, statements.get(i), null, 0, Boolean.FALSE, true, true, timeout(), false);
            }
            return startParts();
        }
        if (chunks == null || pipe != null) {
            parts = new Execute[] {single};
            return single.start();
        }
        parts = new Execute[chunks.size()];
        for (int i = 0; i < parts.length; i++) {
            InsertRewriter.Chunk c = chunks.get(i);
            parts[i] = new Execute(session, c.sql(), c.binds(), 0, null, false, true, timeout(), i == parts.length - 1);
        }
        return startParts();
    }

    /** Several statements written together: a BEGIN when one is due, the leading ones queued, the last one returned. */
    private Command startParts() {
        session.checkStatementAllowed();
        commitsOnItsOwn = session.autocommit() && session.expected() == TransactionStatus.IDLE;
        begin = session.beginIfNeeded();
        int last = parts.length - 1;
        for (int i = 0; i < last; i++) {
            Execute p = parts[i];
            p.pipe = pipe;
            QueryCommand c = p.create();
            session.core().send(c);
            p.sent(c);
        }
        parts[last].pipe = pipe;
        return parts[last].create();
    }

    @Override
    public void sent(Command cmd) {
        parts[parts.length - 1].sent(cmd);
    }

    @Override
    public Command resume(Duration fired) {
        if (parts.length == 1) {
            Command next = parts[0].resume(fired);
            failure = parts[0].failure();
            return next;
        }
        TuskException e = begin != null ? begin.error() : null;
        for (Execute p : parts) {
            TuskException pe = p.settle();
            if (e == null) {
                e = pe;
            }
        }
        if (e != null && fired != null) {
            e = StatementTimer.timedOut(fired, e);
        }
        if (e != null && pipe != null) {
            pipe.failed(e);
        }
        failure = e;
        return null;
    }

    @Override
    public TuskException failure() {
        return failure;
    }

    @Override
    public Command first() {
        return parts.length == 1 ? parts[0].first() : begin != null ? begin : parts[0].command();
    }

    /** For listeners and logs: show {@code query} (with placeholders) instead of the statements sent. Returns this. */
    public ExecuteMany shownAs(String query) {
        this.shownSql = query;
        return this;
    }

    @Override
    Session session() {
        return session;
    }

    @Override
    String observedSql() {
        return shownSql != null ? shownSql : single != null ? single.sql() : "";
    }

    @Override
    BoundParams observedParams() {
        return single != null ? single.observedParams() : null;
    }

    @Override
    int batchSize() {
        return single != null ? single.batchSize() : statements.size();
    }

    @Override
    boolean observedPrepared() {
        if (parts == null) {
            return false;
        }
        for (Execute p : parts) {
            if (p.observedPrepared()) {
                return true;
            }
        }
        return false;
    }

    @Override
    long observedRows() {
        return parts == null ? -1 : Observation.rows(commands());
    }

    @Override
    long observedBytes() {
        return parts == null ? -1 : Observation.bytes(commands());
    }

    /** See {@link Execute#commitsOnItsOwn()}. */
    public boolean commitsOnItsOwn() {
        return parts.length == 1 ? parts[0].commitsOnItsOwn() : commitsOnItsOwn;
    }

    /** The commands sent, in order (in a pipeline, those a cursor waits for). */
    public List<QueryCommand> commands() {
        List<QueryCommand> all = new ArrayList<>(parts.length);
        for (Execute p : parts) {
            all.add(p.command());
        }
        return all;
    }

    /** The results of all the statements, in order, once ended without error. */
    public List<ResultData> results() {
        if (parts.length == 1) {
            return parts[0].results();
        }
        List<ResultData> all = new ArrayList<>();
        for (Execute p : parts) {
            all.addAll(p.results());
        }
        return all;
    }
}
