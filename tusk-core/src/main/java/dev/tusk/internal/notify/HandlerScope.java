package dev.tusk.internal.notify;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.io.LoopFuture;

/**
 * Knows whether the calling thread is inside one of a connection's handlers, notify or notice (one scope for both
 * {@link Handlers} of a connection, shared with its pool lease handles). A handler runs on the thread reading the
 * connection, in the middle of a reply: a blocking connection refuses a call made from there ({@link #check}), which
 * would be written and read in the middle of that reply. An async connection's handlers may submit statements (queued
 * behind that reply) but must not wait for a future ({@code LoopFuture#refusingWaits}).
 */
public final class HandlerScope {
    /** The thread running a handler now, or null; and which kind of handler ("notify", "notice"). */
    private volatile Thread thread;
    private volatile String kind;
    /** An async connection's: its handlers must not wait for a future ({@code LoopFuture#refusingWaits}). */
    private final boolean async;

    /** The scope of a blocking connection's handlers ({@code async} false) or of an async connection's. */
    public HandlerScope(boolean async) {
        this.async = async;
    }

    /** Runs {@code handler} of {@code handlerKind} on this thread, inside the scope; nested runs restore the outer one. */
    void run(String handlerKind, Runnable handler) {
        Thread outerThread = thread;
        String outerKind = kind;
        kind = handlerKind;
        thread = Thread.currentThread();
        try {
            if (async) {
                LoopFuture.refusingWaits("a " + handlerKind + " handler", handler);
            } else {
                handler.run();
            }
        } finally {
            thread = outerThread;
            kind = outerKind;
        }
    }

    /** True on a thread running one of the connection's handlers now. */
    public boolean inside() {
        return thread == Thread.currentThread();
    }

    /**
     * Refuses a call that would use the connection from inside one of its own handlers: the handler runs on the thread
     * that holds the connection's lock and reads another call's reply, so a statement (or a poll) sent from there would
     * be written and read in the middle of that call's messages (psycopg's sync connection deadlocks on its lock
     * there). Close is not refused: the call being read then fails saying the connection was closed.
     */
    public void check() {
        if (thread == Thread.currentThread()) {
            throw new ProgrammingException("the connection cannot be used from inside its own " + kind + " handler: the"
                    + " handler runs on the thread reading another call's reply; hand the work to another thread or"
                    + " connection, or do it after that call returns");
        }
    }
}
