package dev.tusk.internal.op;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ResultData;

import java.time.Duration;
import java.util.List;

/**
 * One step of a named server-side cursor (psycopg's {@code _declare_gen}, {@code _fetch_gen}, {@code _scroll_gen},
 * {@code _close_gen}), the same for both drivers, made of {@link Execute}s so that the transaction rules of
 * statements hold for it (a DECLARE or FETCH outside autocommit opens a transaction, a CLOSE never does):
 * <ul>
 * <li>{@link #declare}: the CLOSE of the previous portal of the same object when one is left (see
 * {@link ServerCursorState#closeStatement}), the DECLARE (extended protocol: one statement only, never prepared)
 * and a {@code FETCH FORWARD 0} that gives the columns before the first fetch, in one write;</li>
 * <li>{@link #fetch}: {@code FETCH FORWARD n|ALL}; without a DECLARE of this object first a look in
 * {@code pg_cursors}, and a cursor of that name declared by SQL is adopted (else "call execute() first", with
 * nothing failing on the server);</li>
 * <li>{@link #move}: {@code MOVE [ABSOLUTE] n}, the position following it;</li>
 * <li>{@link #close}: chosen once everything sent before has run, by the transaction status it leaves.</li>
 * </ul>
 * Every step but the close is refused in pipeline mode, as psycopg ({@code NotSupportedException}); a close
 * runs after the connection has synced the pipeline ({@link #syncsPipelineFirst()}).
 */
public final class ServerCursorStep extends Operation {
    private enum Kind { DECLARE, FETCH, MOVE, CLOSE }

    private final Session session;
    private final ServerCursorState state;
    private final Kind kind;
    /** DECLARE: the statement; it leads the write. */
    private final Execute declare;
    /** DECLARE: the portal to close first; CLOSE: the portal to close. Null: none. */
    private final ServerCursorState.Previous previous;
    /** FETCH: rows per FETCH (below 0: ALL); MOVE: the value. */
    private final long value;
    /** MOVE: the mode. */
    private final String mode;
    /** FETCH: count the rows read into the position as the step ends (not for the chunks of an iteration). */
    private final boolean advance;
    private Execute closeFirst;
    /** The first command of the write (statement timeout), when it is not {@link #current}'s. */
    private Command lead;
    /** The statement whose command the waiter waits for. */
    private Execute current;
    /** FETCH: the cursor was not declared by this object when fetch() was called: a look in pg_cursors first. */
    private boolean looking;
    private ResultData rows;
    private TuskException failure;

    private ServerCursorStep(Session session, ServerCursorState state, Kind kind, Execute declare,
                             ServerCursorState.Previous previous, long value, String mode, boolean advance,
                             Duration timeout) {
        super(timeout);
        this.session = session;
        this.state = state;
        this.kind = kind;
        this.declare = declare;
        this.previous = previous;
        this.value = value;
        this.mode = mode;
        this.advance = advance;
    }

    /**
     * execute(): {@code query} bound by {@code binder} with {@code params} (an Object[] or a Map), on the caller's
     * thread (a binding error throws here, before the state changes). Fails when the cursor is closed.
     */
    public static ServerCursorStep declare(Session session, ServerCursorState state, Binder binder, String query,
                                           Object params, AdaptersMap adapters, Duration timeout) {
        state.checkOpen();
        if (query == null) {
            throw new ProgrammingException("execute() needs a query to declare the cursor for");
        }
        // the extended protocol even without parameters: one statement only, as psycopg ("select 1; select 2"
        // refused); psycopg's placeholders are processed, so a '%' of the name is doubled
        String sql = state.declare(query, binder != Binder.RAW);
        Execute declare = binder.statement(session, sql, params == null ? new Object[0] : params, adapters, 0,
                Boolean.FALSE, timeout);
        return new ServerCursorStep(session, state, Kind.DECLARE, declare, state.declaring(), 0, null, false, timeout);
    }

    /**
     * fetchone/fetchmany/fetchall ({@code size} below 0: ALL), or a chunk of an iteration ({@code advance} false:
     * the caller counts the rows as it hands them out). Fails when the cursor is closed.
     */
    public static ServerCursorStep fetch(Session session, ServerCursorState state, int size, boolean advance,
                                         Duration timeout) {
        state.checkOpen();
        ServerCursorStep step = new ServerCursorStep(session, state, Kind.FETCH, null, null, size, null, advance, timeout);
        // decided now, on the caller's thread: a close() called right behind must not make it look for the cursor
        step.looking = !state.declared();
        return step;
    }

    /** scroll(value, mode). Fails when the cursor is closed or not declared, or for a mode but relative/absolute. */
    public static ServerCursorStep move(Session session, ServerCursorState state, long value, String mode,
                                        Duration timeout) {
        state.checkDeclared();
        state.move(value, mode);
        return new ServerCursorStep(session, state, Kind.MOVE, null, null, value, mode, false, timeout);
    }

    /** close() of a portal {@link ServerCursorState#closing()} returned. */
    public static ServerCursorStep close(Session session, ServerCursorState state, ServerCursorState.Previous portal,
                                         Duration timeout) {
        return new ServerCursorStep(session, state, Kind.CLOSE, null, portal, 0, null, false, timeout);
    }

    /** A close runs once the pipeline the connection is in (if any) has been synced. */
    public boolean syncsPipelineFirst() {
        return kind == Kind.CLOSE;
    }

    /** FETCH: the rows fetched, once ended without error. */
    public ResultData rows() {
        return rows;
    }

    @Override
    public Command start() {
        try {
            return begin();
        } catch (RuntimeException e) {
            if (kind == Kind.DECLARE) {
                state.declareFailed();
            }
            throw e;
        }
    }

    private Command begin() {
        if (kind != Kind.CLOSE && session.pipelined()) {
            throw ServerCursorState.inPipelineError();
        }
        switch (kind) {
            case DECLARE -> {
                String close = previous == null ? null : state.closeStatement(session.expected(), previous);
                if (close != null) {
                    closeFirst = Execute.own(session, close, timeout());
                    lead = queue(closeFirst);
                }
                Command d = queue(declare);
                if (lead == null) {
                    lead = declare.first() != null ? declare.first() : d;
                }
                current = Execute.simple(session, state.describe(), 0, Boolean.FALSE, timeout());
            }
            case FETCH -> current = looking ? Execute.own(session, state.exists(), timeout()) : fetchStatement();
            case MOVE -> current = Execute.simple(session, state.move(value, mode), 0, Boolean.FALSE, timeout());
            case CLOSE -> {
                String close = state.closeStatement(session.expected(), previous);
                if (close == null) {
                    return null;
                }
                current = Execute.own(session, close, timeout());
            }
        }
        return current.start();
    }

    private Execute fetchStatement() {
        return Execute.simple(session, state.fetch((int) value), 0, Boolean.FALSE, timeout());
    }

    /** Sends a statement ahead of the one waited for, in the same write. */
    private Command queue(Execute e) {
        Command c = e.start();
        session.core().send(c);
        e.sent(c);
        return c;
    }

    @Override
    public void sent(Command cmd) {
        current.sent(cmd);
    }

    @Override
    public Command resume(Duration fired) {
        current.resume(fired); // never sent again: none of these statements is prepared
        TuskException e = current.failure();
        if (kind == Kind.DECLARE) {
            // replies come in order: the CLOSE and the DECLARE completed before the FETCH FORWARD 0
            TuskException first = null;
            if (closeFirst != null) {
                closeFirst.resume(fired);
                first = closeFirst.failure();
            }
            declare.resume(fired);
            if (first == null) {
                first = declare.failure();
            }
            e = first != null ? first : e;
            if (e != null) {
                state.declareFailed();
            } else {
                List<ResultData> r = declare.results();
                state.declared(r.isEmpty() ? null : r.get(r.size() - 1).commandTag(), current.results().get(0));
            }
            failure = e;
            return null;
        }
        if (e != null) {
            failure = e;
            return null;
        }
        switch (kind) {
            case FETCH -> {
                if (looking) {
                    looking = false;
                    List<ResultData> found = current.results();
                    if (found.isEmpty() || found.get(0).rowCount() == 0) {
                        failure = state.notDeclaredError();
                        return null;
                    }
                    state.adopted();
                    current = fetchStatement();
                    try {
                        return current.start();
                    } catch (TuskException ex) {
                        failure = ex;
                        return null;
                    }
                }
                rows = current.results().get(0);
                state.fetched(rows);
                if (advance) {
                    state.advance(rows.rowCount());
                }
            }
            case MOVE -> state.moved(value, mode);
            default -> {
            }
        }
        return null;
    }

    @Override
    public TuskException failure() {
        return failure;
    }

    @Override
    public Command first() {
        return lead != null ? lead : current.first();
    }

    @Override
    Session session() {
        return session;
    }

    @Override
    String observedSql() {
        return kind == Kind.DECLARE ? declare.observedSql() : current != null ? current.sql() : state.name();
    }

    @Override
    BoundParams observedParams() {
        return kind == Kind.DECLARE ? declare.observedParams() : null;
    }

    @Override
    boolean ownStatement() {
        return kind == Kind.CLOSE;
    }

    @Override
    boolean observedPrepared() {
        return false;
    }

    @Override
    long observedRows() {
        return rows == null ? -1 : rows.rowCount();
    }
}
