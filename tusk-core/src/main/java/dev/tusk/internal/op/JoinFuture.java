package dev.tusk.internal.op;

import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.LoopFuture;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    private void readFirst(long deadline) {
        if (!isDone() && !EventLoop.isEventLoopThread()) {
            reader.readUntilDone(this, deadline);
        }
    }
}
