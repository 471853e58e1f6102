package dev.tusk.internal.observe;

import dev.tusk.observe.CancelSent;
import dev.tusk.observe.ConnectAttempt;
import dev.tusk.observe.ConnectionClosed;
import dev.tusk.observe.ConnectionFacts;
import dev.tusk.observe.CopyEnd;
import dev.tusk.observe.CopyStart;
import dev.tusk.observe.LeaseEvent;
import dev.tusk.observe.NotificationReceived;
import dev.tusk.observe.PipelineEnd;
import dev.tusk.observe.PipelineStart;
import dev.tusk.observe.PoolConnectionEvent;
import dev.tusk.observe.PoolView;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TransactionEnd;
import dev.tusk.observe.TransactionStart;
import dev.tusk.observe.TransactionStep;
import dev.tusk.observe.TuskListener;
import dev.tusk.observe.TuskListeners;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The listeners of one connection (or pool), composed: each event goes to each listener in order, each gets
 * back its own context (one listener: its context itself; several: an array of theirs), and an exception a
 * listener throws is caught and logged once per listener (logger {@code dev.tusk.observe}, WARNING), never
 * reaching the statement. A connection without listeners has no Observer at all (null): the hot paths test that
 * and do nothing else.
 */
public final class Observer {
    private static final System.Logger LOG = System.getLogger("dev.tusk.observe");
    /** The listeners that already had their failure logged. */
    private static final Set<TuskListener> WARNED = Collections.synchronizedSet(
            Collections.newSetFromMap(new IdentityHashMap<>()));

    private final TuskListener[] listeners;
    private final boolean observeParameters;
    private volatile ConnectionFacts facts;
    /** Whether the end of the connection was told (once, however it ends). */
    private final AtomicBoolean closeReported = new AtomicBoolean();

    private Observer(TuskListener[] listeners, boolean observeParameters) {
        this.listeners = listeners;
        this.observeParameters = observeParameters;
    }

    /**
     * The observer of a connection: the registered listeners, then the options' ({@code listeners}), then
     * the statement log when it is on; null when there are none.
     */
    public static Observer of(List<TuskListener> listeners, boolean observeParameters,
                              Duration slowStatementThreshold) {
        List<TuskListener> all = new ArrayList<>(TuskListeners.registered());
        all.addAll(listeners);
        TuskListener log = StatementLog.forThreshold(slowStatementThreshold);
        if (log != null) {
            all.add(log);
        }
        return all.isEmpty() ? null : new Observer(all.toArray(new TuskListener[0]), observeParameters);
    }

    /** The observer of a pool: the registered listeners and its options' (no statement log); null when none. */
    public static Observer forPool(List<TuskListener> listeners) {
        List<TuskListener> all = new ArrayList<>(TuskListeners.registered());
        all.addAll(listeners);
        return all.isEmpty() ? null : new Observer(all.toArray(new TuskListener[0]), false);
    }

    public boolean observeParameters() {
        return observeParameters;
    }

    public ConnectionFacts facts() {
        return facts;
    }

    public void facts(ConnectionFacts f) {
        this.facts = f;
    }

    /** The first keyword of {@code sql} in upper case (after blanks, comments and parentheses), or "". */
    public static String operation(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        int start = i;
        while (i < n && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return sql.substring(start, i).toUpperCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- dispatch

    private void failed(TuskListener l, RuntimeException e) {
        if (WARNED.add(l)) {
            LOG.log(System.Logger.Level.WARNING, "the Tusk listener " + l.getClass().getName()
                    + " threw; its exceptions are ignored (this is logged once per listener)", e);
        }
    }

    private <E> void each(E event, BiConsumer<TuskListener, E> call) {
        for (TuskListener l : listeners) {
            try {
                call.accept(l, event);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    /** The i-th listener's part of a composed context. */
    private Object part(Object ctx, int i) {
        return listeners.length == 1 ? ctx : ctx == null ? null : ((Object[]) ctx)[i];
    }

    private interface Starter<E> {
        Object start(TuskListener l, E event, Object parent);
    }

    private interface Ender<E> {
        void end(TuskListener l, E event, Object context);
    }

    private <E> Object start(E event, Object parent, Starter<E> call) {
        if (listeners.length == 1) {
            try {
                return call.start(listeners[0], event, parent);
            } catch (RuntimeException e) {
                failed(listeners[0], e);
                return null;
            }
        }
        Object[] ctx = new Object[listeners.length];
        for (int i = 0; i < listeners.length; i++) {
            try {
                ctx[i] = call.start(listeners[i], event, part(parent, i));
            } catch (RuntimeException e) {
                failed(listeners[i], e);
            }
        }
        return ctx;
    }

    private <E> void end(E event, Object ctx, Ender<E> call) {
        for (int i = 0; i < listeners.length; i++) {
            try {
                call.end(listeners[i], event, part(ctx, i));
            } catch (RuntimeException e) {
                failed(listeners[i], e);
            }
        }
    }

    public void connectAttempt(ConnectAttempt e) {
        each(e, TuskListener::connectAttempt);
    }

    /** The connection ended: told once (the first of its break and its close wins). */
    public void connectionClosed(ConnectionClosed e) {
        if (!closeReported.getAndSet(true)) {
            each(e, TuskListener::connectionClosed);
        }
    }

    public Object statementStarted(StatementStart e, Object pipelineContext) {
        return start(e, pipelineContext, TuskListener::statementStarted);
    }

    /**
     * The listeners' comments for a statement's text (see {@link TuskListener#statementComment}), joined with
     * commas; null when none. A comment that could end the comment it goes in, or open another, is dropped.
     */
    public String statementComment(StatementStart e, Object ctx) {
        String out = null;
        for (int i = 0; i < listeners.length; i++) {
            TuskListener l = listeners[i];
            try {
                String c = l.statementComment(e, part(ctx, i));
                if (c == null || c.isEmpty()) {
                    continue;
                }
                if (c.contains("*/") || c.contains("/*") || c.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("a statement comment must not contain a comment's start or end, nor NUL");
                }
                out = out == null ? c : out + "," + c;
            } catch (RuntimeException ex) {
                failed(l, ex);
            }
        }
        return out;
    }

    /**
     * {@code sql} with {@code comment} appended as sqlcommenter does ({@code SELECT 1 /*comment*&#47;}, before a
     * final semicolon); {@code sql} itself when it holds a comment already.
     */
    public static String withComment(String sql, String comment) {
        if (comment == null || sql.contains("--") || sql.contains("/*")) {
            return sql;
        }
        int end = sql.length();
        while (end > 0 && Character.isWhitespace(sql.charAt(end - 1))) {
            end--;
        }
        boolean semicolon = end > 0 && sql.charAt(end - 1) == ';';
        int at = semicolon ? end - 1 : end;
        return sql.substring(0, at) + " /*" + comment + "*/" + sql.substring(at);
    }

    public void statementEnded(StatementEnd e, Object ctx) {
        end(e, ctx, TuskListener::statementEnded);
    }

    /** A pipeline observed: its start, the listeners' context, its statements and first error. */
    public static final class PipelineScope {
        final PipelineStart start;
        final Object context;
        private final AtomicInteger statements = new AtomicInteger();
        private volatile Throwable error;
        private final AtomicBoolean ended = new AtomicBoolean();

        PipelineScope(PipelineStart start, Object context) {
            this.start = start;
            this.context = context;
        }

        /** The listeners' context, the parent of the pipeline's statements. */
        public Object context() {
            return context;
        }

        /** A statement was queued in the pipeline. */
        public void statement() {
            statements.incrementAndGet();
        }

        /** A statement of the pipeline failed with {@code e} (the first one is the pipeline's error). */
        public void failed(Throwable e) {
            if (error == null) {
                error = e;
            }
        }
    }

    /** A pipeline begins (on the user's thread): the listeners' pipelineStarted. */
    public PipelineScope pipelineStarted() {
        PipelineStart e = new PipelineStart(facts, System.nanoTime());
        return new PipelineScope(e, start(e, null, (l, ev, p) -> l.pipelineStarted(ev)));
    }

    /** The pipeline ended ({@code error}: its end's own failure, or null): the listeners' pipelineEnded, once. */
    public void pipelineEnded(PipelineScope p, Throwable error) {
        if (!p.ended.compareAndSet(false, true)) {
            return;
        }
        Throwable e = p.error != null ? p.error : error;
        PipelineEnd end = new PipelineEnd(p.start, p.statements.get(), System.nanoTime() - p.start.startNanos(), e);
        end(end, p.context, TuskListener::pipelineEnded);
    }

    public Object copyStarted(CopyStart e, Object parent) {
        return start(e, parent, TuskListener::copyStarted);
    }

    public void copyEnded(CopyEnd e, Object ctx) {
        end(e, ctx, TuskListener::copyEnded);
    }

    public Object transactionStarted(TransactionStart e) {
        return start(e, null, (l, ev, p) -> l.transactionStarted(ev));
    }

    public void transactionEnded(TransactionEnd e, Object ctx) {
        end(e, ctx, TuskListener::transactionEnded);
    }

    public void transactionStep(TransactionStep e) {
        each(e, TuskListener::transactionStep);
    }

    public void notificationReceived(NotificationReceived e) {
        each(e, TuskListener::notificationReceived);
    }

    public void cancelSent(CancelSent e) {
        each(e, TuskListener::cancelSent);
    }

    public void poolOpened(PoolView p) {
        each(p, TuskListener::poolOpened);
    }

    public void poolClosed(PoolView p) {
        each(p, TuskListener::poolClosed);
    }

    public void leaseAcquired(LeaseEvent e) {
        each(e, TuskListener::leaseAcquired);
    }

    public void leaseReturned(LeaseEvent e) {
        each(e, TuskListener::leaseReturned);
    }

    public void leaseTimedOut(LeaseEvent e) {
        each(e, TuskListener::leaseTimedOut);
    }

    public void poolConnectionCreated(PoolConnectionEvent e) {
        each(e, TuskListener::poolConnectionCreated);
    }

    public void poolConnectionClosed(PoolConnectionEvent e) {
        each(e, TuskListener::poolConnectionClosed);
    }
}
