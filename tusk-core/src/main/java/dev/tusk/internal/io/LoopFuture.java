package dev.tusk.internal.io;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The futures AsyncConnection returns: ordinary CompletableFutures, except that waiting for one that is
 * not complete yet ({@code join}, {@code get}) from an event-loop thread is refused with a clear
 * exception, since the loop would wait for itself. Stages derived from one (thenApply...) are LoopFutures
 * too.
 */
public class LoopFuture<T> extends CompletableFuture<T> {
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

    private void checkMayWait(String what) {
        if (!isDone()) {
            EventLoop.checkNotOnEventLoop(what);
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
