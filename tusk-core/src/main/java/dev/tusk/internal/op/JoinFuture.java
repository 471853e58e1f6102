package dev.tusk.internal.op;

import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.LoopFuture;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The future of a statement an {@link AsyncWaiter} runs: a caller blocking on it ({@code join}, {@code get}) while
 * nothing else is in flight on the connection reads the reply on its own thread
 * ({@link dev.tusk.internal.io.EventLoopDriver#readHere}); otherwise, or once it handed the read back (deadline,
 * interrupt), it waits as for any {@link LoopFuture}.
 */
final class JoinFuture<T> extends LoopFuture<T> {
    /** Reads for a joined future until it is done, or hands the read back; true when it is done. */
    interface Reader {
        boolean readUntilDone(JoinFuture<?> f, long deadlineNanos);

        /** The future was completed, maybe on another thread than a caller reading for it: that caller stops waiting. */
        void completedElsewhere();
    }

    private final Reader reader;

    JoinFuture(Reader reader) {
        this.reader = reader;
    }

    @Override
    public T join() {
        readFirst(0);
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        readFirst(0);
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkMayWait("get(timeout) on an unfinished future");
        if (isDone() || EventLoop.isEventLoopThread()) {
            return super.get(timeout, unit);
        }
        long nanos = unit.toNanos(timeout);
        long deadline = System.nanoTime() + nanos;
        if (deadline == 0) {
            deadline = 1; // 0 means no deadline to the reader
        }
        if (nanos > 0) {
            reader.readUntilDone(this, deadline);
        }
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    // a caller reading for this future waits on the socket without a timer: whoever completes it wakes that caller

    @Override
    public boolean complete(T value) {
        return wake(super.complete(value));
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        return wake(super.completeExceptionally(ex));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return wake(super.cancel(mayInterruptIfRunning));
    }

    /** Wakes a caller reading for this future, which {@code changed} or not (completed elsewhere before). */
    private boolean wake(boolean changed) {
        reader.completedElsewhere();
        return changed;
    }

    @Override
    public void obtrudeValue(T value) {
        super.obtrudeValue(value);
        reader.completedElsewhere();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        super.obtrudeException(ex);
        reader.completedElsewhere();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        Objects.requireNonNull(supplier);
        Objects.requireNonNull(executor);
        executor.execute(() -> { // through complete(), which wakes a reading caller (the inherited one does not)
            if (isDone()) {
                return; // as the inherited one: the supplier runs only for a future still incomplete
            }
            try {
                complete(supplier.get());
            } catch (Throwable e) {
                completeExceptionally(new CompletionException(e));
            }
        });
        return this;
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        return completeAsync(supplier, defaultExecutor());
    }

    private void readFirst(long deadline) {
        if (!isDone()) {
            checkMayWait("join() or get() on an unfinished future"); // before reading: not from a handler in a read
        }
        if (!isDone() && !EventLoop.isEventLoopThread()) {
            reader.readUntilDone(this, deadline);
        }
    }
}
