package dev.tusk.internal.op;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.observe.Observer;
import dev.tusk.observe.CopyEnd;
import dev.tusk.observe.CopyStart;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One COPY as the listeners see it, from its start on the submitting thread to its end, delivered exactly once
 * whichever thread gets there first. Made only when the session has an observer.
 */
final class CopyObservation {
    private final Observer observer;
    private final CopyStart start;
    private final Object context;
    private final AtomicBoolean ended = new AtomicBoolean();

    private CopyObservation(Observer observer, CopyStart start, Object context) {
        this.observer = observer;
        this.start = start;
        this.context = context;
    }

    /** The listeners' copyStarted for the COPY statement {@code sql}, on the calling thread. */
    static CopyObservation start(Observer observer, String sql) {
        CopyStart s = new CopyStart(observer.facts(), sql, direction(sql), System.nanoTime());
        return new CopyObservation(observer, s, observer.copyStarted(s, null));
    }

    /** The listeners' copyEnded (the first call only): {@code rows} copied (-1: unknown), {@code error} or null. */
    void end(long rows, long bytes, Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        String sqlstate = error instanceof TuskException te ? te.sqlstate() : null;
        observer.copyEnded(new CopyEnd(start, rows, bytes, System.nanoTime() - start.startNanos(), sqlstate, error),
                context);
    }

    /**
     * Which way the statement moves data, as it says (the listeners hear of it before the server answers): the
     * last of {@code STDIN} and {@code STDOUT} in it names the COPY's end (a query in parentheses comes first).
     */
    static CopyStart.Direction direction(String sql) {
        String s = sql.toUpperCase(Locale.ROOT);
        return s.lastIndexOf("STDIN") > s.lastIndexOf("STDOUT") ? CopyStart.Direction.TO_SERVER
                : CopyStart.Direction.FROM_SERVER;
    }
}
