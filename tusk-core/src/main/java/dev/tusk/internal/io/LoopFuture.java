package dev.tusk.internal.io;

import dev.tusk.errors.InterfaceException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The futures AsyncConnection returns: ordinary CompletableFutures, except that waiting for one that is
 * not complete yet ({@code join}, {@code get}) from an event-loop thread is refused with a clear
 * exception, since the loop would wait for itself; so is waiting from a handler that a caller's thread runs in the
 * middle of a reply it reads for the loop ({@link #refusingWaits}). Stages derived from one (thenApply...) are
 * LoopFutures too.
 */
public class LoopFuture<T> extends CompletableFuture<T> {
    /** Set while this thread runs a handler of an async connection (see {@link #refusingWaits}); else null. */
    private static final ThreadLocal<String> HANDLER = new ThreadLocal<>();

    /**
     * Runs {@code handler}, user code of an async connection ({@code what}: "a notice handler"), refusing any wait for
     * an unfinished LoopFuture on this thread meanwhile: the handler runs on the event loop, or on a caller's thread in
     * the middle of a reply it reads for the loop (a joined statement's), where the loop does not read: a wait there
     * would wait for itself.
     */
    public static void refusingWaits(String what, Runnable handler) {
        String outer = HANDLER.get();
        HANDLER.set(what);
        try {
            handler.run();
        } finally {
            if (outer == null) {
                HANDLER.remove();
            } else {
                HANDLER.set(outer);
            }
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new LoopFuture<>();
    }

    @Override
    public T join() {
        checkMayWait("join() on an unfinished future");
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        checkMayWait("get() on an unfinished future");
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkMayWait("get(timeout) on an unfinished future");
        return super.get(timeout, unit);
    }

    /** Refuses to wait for this future, unfinished, on an event-loop thread or from an async connection's handler. */
    protected final void checkMayWait(String what) {
        if (!isDone()) {
            EventLoop.checkNotOnEventLoop(what);
            String handler = HANDLER.get();
            if (handler != null) {
                throw new InterfaceException(what + " was made from inside " + handler + " of an AsyncConnection,"
                        + " which runs in the middle of a reply read for the event loop and must not block (the"
                        + " future may wait for that very read): chain with thenCompose/thenApply instead");
            }
        }
    }

    /** A future already failed with {@code e}. */
    public static <T> LoopFuture<T> failed(Throwable e) {
        LoopFuture<T> f = new LoopFuture<>();
        f.completeExceptionally(e);
        return f;
    }

    /** The failure itself, without the CompletionExceptions that dependent stages wrap it in. */
    public static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
