package dev.tusk.internal.op;

import dev.tusk.TransactionStatus;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.SqlState;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.query.PreparedStatements;

import java.time.Duration;
import java.util.List;

/**
 * Runs one statement (psycopg's {@code _execute_gen}), the same for both drivers:
 * <ul>
 * <li>outside autocommit with no transaction open (as the server will see it once everything already sent
 * has run), a BEGIN with the session's characteristics goes first, in the same write; in a pipeline, an
 * unsynced one;</li>
 * <li>without parameters the statement goes as written over the simple protocol (in a pipeline, where each
 * message must hold one statement, over the extended protocol without Sync); with parameters over the
 * extended protocol, named and prepared once it has run {@code prepareThreshold} times (psycopg's rule);</li>
 * <li>an execution sent while the Parse of the same statement is still in flight (pipelining) reuses its name
 * without parsing again; when that Parse fails, it reports the Parse's error rather than the server's
 * "prepared statement does not exist";</li>
 * <li>a prepared statement whose plan the server found stale (its result type changed) is sent once more
 * when that is invisible: it was the first statement of its transaction and nothing was sent after it (a
 * ROLLBACK goes first when the failure left the transaction in error);</li>
 * <li>an error after the statement timeout fired becomes the timeout's error ({@link StatementTimer#timedOut}).</li>
 * </ul>
 */
public final class Execute extends Operation {
    private static final List<BoundParams> NO_PARAMS = List.of(BoundParams.NONE);

    private final Session session;
    private String sql;
    /** The parameter sets; null: no parameters, the statement as written. */
    private List<BoundParams> binds;
    private int format;
    private Boolean prepare;
    private boolean describe;
    /** A statement of the user's: it may open a transaction. False for the driver's own (COMMIT...). */
    private final boolean user;
    /** False for the leading statements of a batch: the batch's last one carries the Sync. */
    private final boolean sync;
    /** A COMMIT or ROLLBACK: sent only when a transaction is open, and none is once it was sent. */
    private boolean ends;
    /** The pool's session reset: its DISCARDs leave the prepared statements to the caller (see {@link #keepingPlans}). */
    private boolean keepsPlans;

    private boolean firstOfTransaction;
    private boolean commitsOnItsOwn;
    private boolean mayRetry = true;
    private QueryCommand begin;
    private QueryCommand cmd;
    private PreparedStatements.Decision decision;
    /** The Parse this execution sends for a named statement, or null. */
    private Session.InFlightParse parses;
    /** The Parse in flight whose name this execution reuses, or null. */
    private Session.InFlightParse follows;
    private TuskException failure;
    /** At most this many rows from the server (0: all); see {@link #maxRows(int)}. */
    private int maxRows;
    /** The adapters that will load the rows: they pick the formats when {@code format} is automatic. */
    private AdaptersMap adapters;
    /** The text listeners see when the statement sent has values merged in (a client-side cursor's), else null. */
    private String shownSql;

    private Execute(Session session, String sql, List<BoundParams> binds, int format, Boolean prepare, boolean describe,
                    boolean user, Duration timeout) {
        this(session, sql, binds, format, prepare, describe, user, timeout, true);
    }

    /** A statement of a batch ({@link ExecuteMany}): {@code sync} false for all but the last. */
    Execute(Session session, String sql, List<BoundParams> binds, int format, Boolean prepare, boolean describe,
            boolean user, Duration timeout, boolean sync) {
        super(timeout);
        this.sync = sync;
        this.session = session;
        this.sql = sql;
        this.binds = binds;
        this.format = format;
        this.prepare = prepare;
        this.describe = describe;
        this.user = user;
    }

    /** A statement of the user's without parameters: as written, several statements allowed (one in a pipeline). */
    public static Execute simple(Session session, String sql, int format, Boolean prepare, Duration timeout) {
        return new Execute(session, sql, null, format, prepare, true, true, timeout);
    }

    /**
     * A statement of the user's with parameters ({@code $n} placeholders): one execution per parameter set;
     * {@code describe} false when its rows are not wanted (executemany without returning).
     */
    public static Execute extended(Session session, String sql, List<BoundParams> binds, int format, Boolean prepare,
                                   boolean describe, Duration timeout) {
        return new Execute(session, sql, binds, format, prepare, describe, true, timeout);
    }

    /**
     * {@link #forUser(Execute, Session, String, List, int, Boolean, Duration)} with one parameter set, held in a
     * list this execution keeps ({@link OneBind}): nothing made for it when {@code spare} had one.
     */
    static Execute forUserOnce(Execute spare, Session session, String sql, BoundParams params, int format,
                               Boolean prepare, Duration timeout) {
        OneBind one = spare != null && spare.one != null ? spare.one : new OneBind();
        Execute e = forUser(spare, session, sql, one.holding(params), format, prepare, timeout);
        e.one = one;
        return e;
    }

    /**
     * The list of one parameter set this execution's statements run once take ({@link #forUserOnce}), kept with it
     * when it is made another statement; null until one needed it.
     */
    private OneBind one;

    /**
     * {@link #simple} ({@code binds} null) or {@link #extended} with its rows described, made of {@code spare} when
     * not null: an execution that {@link #reusable()} says nothing refers to any more, every field set again as the
     * constructor sets it (nothing of the statement it ran before is kept).
     */
    static Execute forUser(Execute spare, Session session, String sql, List<BoundParams> binds, int format,
                        Boolean prepare, Duration timeout) {
        if (spare == null) {
            return new Execute(session, sql, binds, format, prepare, true, true, timeout);
        }
        if (spare.session != session || !spare.reusable()) {
            throw new IllegalStateException("an execution still in use cannot be reused");
        }
        spare.renew(timeout);
        spare.sql = sql;
        spare.binds = binds;
        spare.format = format;
        spare.prepare = prepare;
        spare.describe = true;
        spare.ends = false;
        spare.keepsPlans = false;
        spare.firstOfTransaction = false;
        spare.commitsOnItsOwn = false;
        spare.mayRetry = true;
        spare.begin = null;
        spare.cmd = null;
        spare.decision = null;
        spare.parses = null;
        spare.follows = null;
        spare.failure = null;
        spare.maxRows = 0;
        spare.adapters = null;
        spare.shownSql = null;
        return spare;
    }

    /**
     * Whether this execution may be made another statement ({@link #forUser}): a user's single synced statement whose
     * command completed, that no listener observed (an observation may outlive it) and that is not in a pipeline
     * (the pipeline refers to its commands until its Sync). The caller also knows nothing else refers to it.
     */
    public boolean reusable() {
        return user && sync && !ends && pipe == null && !observing() && cmd != null && cmd.isDone()
                && (begin == null || begin.isDone());
    }

    /** A statement of the driver's own (COMMIT, SAVEPOINT...): as written, never opening a transaction. */
    public static Execute own(Session session, String sql, Duration timeout) {
        return new Execute(session, sql, null, 0, Boolean.FALSE, true, false, timeout);
    }

    /**
     * The end of the current transaction (psycopg's {@code _commit_gen}/{@code _rollback_gen}): COMMIT or ROLLBACK
     * when one is open, as the server will see it once everything already sent has run; else nothing is sent.
     */
    public static Execute endTransaction(Session session, boolean commit, Duration timeout) {
        Execute e = own(session, commit ? "COMMIT" : "ROLLBACK", timeout);
        e.ends = true;
        return e;
    }

    /**
     * For the pool's session reset ({@link #own}): the rule that forgets every prepared statement after a user's
     * DROP, ALTER, ROLLBACK or DISCARD does not apply to its DISCARD TEMP and DISCARD SEQUENCES; the caller decides
     * what its prepared statements become.
     */
    public Execute keepingPlans() {
        this.keepsPlans = true;
        return this;
    }

    /**
     * At most {@code rows} rows of a statement with parameters, outside a pipeline: the server stops producing them
     * there (an Execute with a row count). Ignored for a statement sent as written (the simple protocol has no limit).
     */
    public Execute maxRows(int rows) {
        this.maxRows = rows;
        return this;
    }

    /** For {@link #endTransaction}: whether there is a transaction to end. */
    public boolean needed() {
        return session.expected() != TransactionStatus.IDLE;
    }

    /** A COMMIT: if the connection is lost before its reply, the outcome is unknown. */
    @Override
    public boolean commits() {
        return !user && sql.startsWith("COMMIT");
    }

    @Override
    public Command start() {
        if (ends && !needed()) {
            return null;
        }
        if (user) {
            session.checkStatementAllowed();
        }
        pipe = session.pipeline();
        firstOfTransaction = session.expected() == TransactionStatus.IDLE;
        // a statement of the user's outside any transaction, in autocommit mode, commits on its own
        commitsOnItsOwn = user && session.autocommit() && firstOfTransaction;
        return next();
    }

    private QueryCommand next() {
        begin = user ? session.beginIfNeeded() : null;
        return create();
    }

    /** Makes the statement's command as the prepared-statement cache decides (not sent). */
    QueryCommand create() {
        parses = null;
        follows = null;
        decision = null;
        List<BoundParams> b = binds;
        if (b == null) {
            if (pipe == null || !user) {
                return cmd = new SimpleQuery(user ? commented(sql) : sql);
            }
            b = NO_PARAMS; // a pipeline holds one statement per message: the extended protocol, as written
        }
        PreparedStatements prepared = session.prepared();
        PreparedStatements.Decision d = prepared.decide(sql, b.get(0).oids(), prepare);
        if (d.isNamed() && d.needsParse()) {
            Session.InFlightParse inFlight = session.parseInFlight(d.key());
            if (inFlight != null) {
                d = new PreparedStatements.Decision(inFlight.name, false, d.key());
                follows = inFlight;
            } else {
                parses = new Session.InFlightParse(d.name());
                session.parsing(d.key(), parses);
            }
        }
        decision = d;
        // a named statement keeps the text the cache knows; an unnamed one may carry the listeners' comment
        String text = d.isNamed() || !user ? sql : commented(sql);
        cmd = format == PreparedStatements.AUTO_FORMAT
                // in a pipeline a SET queued before the statement may change the DateStyle or the TimeZone, and the
                // server reports them only at the Sync, after the rows: dates and times stay in text there
                ? prepared.command(text, d, b, format, adapters, pipe == null && isoDateStyle(),
                        pipe == null ? session.core().session().timeZoneName() : null, describe,
                        sync && pipe == null, pipe != null)
                : prepared.command(text, d, b, format, describe, sync && pipe == null, pipe != null);
        if (maxRows > 0 && pipe == null && sync && b.size() == 1) {
            ((ExtendedQuery) cmd).maxRows(maxRows);
        }
        return cmd;
    }

    /**
     * For a statement whose result format is {@link PreparedStatements#AUTO_FORMAT}: the adapters that will load
     * its rows (without them, it asks for text).
     */
    public Execute readingWith(AdaptersMap adapters) {
        this.adapters = adapters;
        return this;
    }

    /** The session's DateStyle is ISO, the only one the text loaders of dates and times read. */
    private boolean isoDateStyle() {
        return session.core().session().isoDateStyle();
    }

    @Override
    public void sent(Command c) {
        if (ends) {
            session.expect(TransactionStatus.IDLE);
        }
        if (pipe != null && user) { // the driver's own statements go after a Sync, as statements of their own
            session.sentInPipeline(c);
        }
    }

    @Override
    public Command resume(Duration fired) {
        TuskException own = settle();
        TuskException e = begin != null && begin.error() != null ? begin.error() : own;
        if (e != null && fired != null) {
            e = StatementTimer.timedOut(fired, e);
        }
        if (e != null && pipe != null && user) {
            pipe.failed(e);
        }
        if (e != null && retryable(e)) {
            mayRetry = false;
            if (session.expected() == TransactionStatus.INERROR) {
                session.core().send(new SimpleQuery("ROLLBACK"));
                session.expect(TransactionStatus.IDLE);
            }
            return next();
        }
        failure = e;
        return null;
    }

    /**
     * The statement's command has completed: keeps the prepared-statement cache and the Parses in flight in step,
     * and returns its error as the caller sees it (null: none).
     */
    TuskException settle() {
        QueryCommand c = cmd;
        if (parses != null) {
            session.parsed(decision.key(), parses);
            parses.failure = c.error();
        }
        if (missingAfterFailedParse(c.error())) {
            return copy(follows.failure); // the statement never existed: nothing for the cache to learn
        }
        if (!keepsPlans) {
            session.afterStatement(c, decision);
        }
        return c.error();
    }

    /**
     * A prepared plan the server found stale (its result type changed, or a type it names is gone), and sending the statement again is invisible: it was the first of
     * its transaction, outside a pipeline, and nothing was sent after it.
     */
    private boolean retryable(TuskException e) {
        return mayRetry && pipe == null && firstOfTransaction && decision != null && decision.isNamed()
                && !session.core().hasPending() && (PreparedStatements.isStalePlan(e) || PreparedStatements.isStaleType(e));
    }

    /** {@code e} is the server saying the statement named by the Parse this execution followed does not exist. */
    private boolean missingAfterFailedParse(TuskException e) {
        return follows != null && follows.failure != null && e != null && "26000".equals(e.sqlstate());
    }

    /** What the statement would have met itself: a copy, since each caller has its own exception. */
    private static TuskException copy(TuskException first) {
        return first.diag().sqlstate() == null ? first : SqlState.withMessage(first.diag(), first.getMessage());
    }

    @Override
    public TuskException failure() {
        return failure;
    }

    @Override
    public Command first() {
        return begin != null ? begin : cmd;
    }



    /** The statement's command (in a pipeline, the one a cursor waits for). */
    public QueryCommand command() {
        return cmd;
    }

    /** The results once ended without error. */
    public List<ResultData> results() {
        return cmd.results();
    }

    public String sql() {
        return sql;
    }

    /** For listeners and logs: show {@code query} (with placeholders) instead of the statement sent. Returns this. */
    public Execute shownAs(String query) {
        this.shownSql = query;
        return this;
    }

    @Override
    Session session() {
        return session;
    }

    @Override
    String observedSql() {
        return shownSql != null ? shownSql : sql;
    }

    @Override
    BoundParams observedParams() {
        return binds == null || binds.isEmpty() ? null : binds.get(0);
    }

    @Override
    int batchSize() {
        return binds == null ? 1 : binds.size();
    }

    @Override
    boolean ownStatement() {
        return !user;
    }

    @Override
    boolean observedPrepared() {
        return decision != null && decision.isNamed();
    }

    @Override
    long observedRows() {
        return cmd == null ? -1 : Observation.rows(List.of(cmd));
    }

    @Override
    long observedBytes() {
        return cmd == null ? -1 : Observation.bytes(List.of(cmd));
    }

    /** A statement of the driver's own ({@link #own}). */
    public boolean isOwn() {
        return !user;
    }

    /**
     * An autocommit statement of the user's outside any transaction: if the connection goes before its reply,
     * the server may have committed it.
     */
    public boolean commitsOnItsOwn() {
        return commitsOnItsOwn;
    }
}
