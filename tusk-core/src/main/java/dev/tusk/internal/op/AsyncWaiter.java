package dev.tusk.internal.op;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.wire.Frontend;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs {@link Operation}s for an async connection (psycopg's {@code waiting.wait_async}): each step on the
 * thread acting for the connection (the event loop; on an idle connection the submitting thread itself, which
 * saves a wake-up of the loop per round trip), chained through {@link Command#onComplete}; operations submitted
 * while others are in flight are written at once behind them (automatic pipelining) and end in order. A COPY
 * holding the outgoing stream holds back the operations submitted meanwhile.
 */
public final class AsyncWaiter {
    /** What the connection decides around an operation: refusing it, and the error its caller sees. */
    public interface Shell {
        /** Why a new operation is refused at once (closed, given back to a pool), or null. Any thread. */
        TuskException refusal();

        /**
         * Why work of the pool lease handle {@code lease} (null: the connection itself, never refused here) is refused
         * when its turn comes on the acting thread: the lease ended since the caller's check, and the connection may be
         * lent to the next borrower; else null. One volatile read.
         */
        TuskException leaseEnded(Object lease);

        /** The error of an operation not sent because the connection failed with {@code cause} first. */
        TuskException notSent(TuskException cause);

        /** The error the caller sees for an operation that failed with {@code e}. */
        TuskException error(Operation op, TuskException e);

        /**
         * False while the connection needs its event loop to read even when one statement alone is in flight (it
         * listens for notifications), so a caller joining a statement's future must not read the reply itself.
         */
        default boolean callerMayRead() {
            return true;
        }
    }

    private final EventLoopDriver driver;
    private final AsyncStatementTimer timer;
    private final Shell shell;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Nothing is in flight: a caller that read its reply leaves the socket to the loop only until the next one. */
    private final BooleanSupplier idle = () -> inFlight.get() == 0;
    /**
     * Tasks submitted while a COPY owns the outgoing stream (from its statement until its data has ended, or
     * until the server said it sends rather than receives): they run, in order, once it gives it back. Null
     * while nothing holds the stream. Acting thread only.
     */
    private ArrayDeque<Runnable> heldBack;

    public AsyncWaiter(EventLoopDriver driver, AsyncStatementTimer timer, Shell shell) {
        this.driver = driver;
        this.timer = timer;
        this.shell = shell;
    }

    /**
     * Runs {@code op} in order after everything submitted before; the future completes with {@code outcome} of
     * the ended operation (on the loop thread), or fails with its error. Any thread.
     */
    public <T> CompletableFuture<T> submit(Operation op, Function<Operation, T> outcome) {
        return submit(op, outcome, null);
    }

    /**
     * As {@link #submit(Operation, Function)} for a call of the pool lease handle {@code lease} (null: the connection
     * itself): checked again when the operation is about to be sent ({@link Shell#leaseEnded}).
     */
    public <T> CompletableFuture<T> submit(Operation op, Function<Operation, T> outcome, Object lease) {
        Run<T> run = new Run<>(op, outcome, lease, null);
        op.observeStart(); // on the submitting thread: listeners take its context as the statement's parent
        if (op.observed()) { // whatever ends the future (a close failing it too), the listeners hear of it once
            run.future.whenComplete((v, e) -> op.observeEnd(LoopFuture.unwrap(e)));
        }
        start(run);
        return run.future;
    }

    /**
     * As {@link #submit(Operation, Function, Object)}, the outcome (or the error) handed to {@code done} instead of
     * completing a future: once, on the loop thread (on the submitting thread when refused at once). For a driver
     * built on the connection that reacts to each statement's end itself (tusk-r2dbc), without a future and the
     * stage it would attach to it.
     */
    public <T> void submit(Operation op, Function<Operation, T> outcome, Object lease, BiConsumer<? super T, Throwable> done) {
        op.observeStart();
        start(new Run<>(op, outcome, lease, done));
    }

    private <T> void start(Run<T> run) {
        TuskException refused = shell.refusal();
        if (refused != null) {
            run.op.observeEnd(refused);
            run.deliver(null, refused);
            return;
        }
        // on an idle connection the statement leaves from this thread without a task of its own: a caller's thread
        // does not wake the loop to send it, the connection's own loop thread (the statement chained in another's
        // completion) sends it right there. With others in flight it is queued for the loop, which sends what a
        // turn queued together (in flight, sending each from its completion measured slower through Reactor); but
        // a caller's thread that finds the loop asleep sends it itself: the wake-up would cost more than the write
        boolean sent = inFlight.incrementAndGet() == 1 ? driver.tryRunHere(run) : driver.tryRunHereWhileLoopSleeps(run);
        if (!sent) {
            driver.execute(run);
        }
    }

    /**
     * Runs {@code op} now, on the acting thread, from a task already in order (commit() deciding what to send)
     * and already counted in flight by {@link #started()}. The future completes as for {@link #submit}.
     */
    public <T> void runNow(Operation op, Function<Operation, T> outcome, LoopFuture<T> future) {
        Run<T> run = new Run<>(op, outcome, future);
        op.observeStart();
        if (op.observed()) {
            future.whenComplete((v, e) -> op.observeEnd(LoopFuture.unwrap(e)));
        }
        run.state = Run.SENDING;
        run.send();
    }

    /** Operations submitted whose results have not arrived yet. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Puts {@code cmd}, work that is not an operation (a pipeline's Sync, one wait of a COPY for the server: its start,
     * its end, its data while the consumer asks for more), under the statement timeout {@code timeout} as an
     * operation's command is: its clock starts when {@code first} (the command itself, or the COPY's BEGIN for its
     * start) reaches the head of the pipeline; a frozen server then breaks the connection after the cancel's grace,
     * which completes it. Returns what stops the clock, saying the timeout when it fired (the work was cancelled
     * because of it), else null; null without a timeout. Acting thread, before {@code first} is sent.
     */
    public Supplier<Duration> watch(Duration timeout, Command first, Command cmd) {
        AsyncStatementTimer.Watch w = timer.watch(timeout, first, cmd);
        return w == null ? null : w::stop;
    }

    /** Counts work that is not an operation (a COPY, a pipeline's Sync) as in flight, until {@link #ended()}. */
    public void started() {
        inFlight.incrementAndGet();
    }

    public void ended() {
        inFlight.decrementAndGet();
    }

    // ---------------------------------------------------------------- order and COPY

    /**
     * Runs {@code task} on the loop thread after the tasks submitted before it; while a COPY holds the outgoing
     * stream, once the COPY gives it back (a statement written between two CopyData messages would break the
     * protocol).
     */
    public void inOrder(Runnable task) {
        driver.execute(() -> runOrHoldBack(task));
    }

    private void runOrHoldBack(Runnable task) {
        if (heldBack != null) {
            heldBack.add(task);
        } else {
            task.run();
        }
    }

    /** A COPY takes the outgoing stream: tasks submitted from now on wait. Acting thread only. */
    public void holdBack() {
        if (heldBack == null) {
            heldBack = new ArrayDeque<>();
        }
    }

    /**
     * The COPY gives the outgoing stream back: the tasks held back run in order, until one of them starts
     * another COPY, which keeps the rest. Acting thread only.
     */
    public void releaseHeldBack() {
        ArrayDeque<Runnable> waiting = heldBack;
        heldBack = null;
        if (waiting == null) {
            return;
        }
        Runnable task;
        while (heldBack == null && (task = waiting.poll()) != null) {
            task.run();
        }
        if (heldBack != null) {
            heldBack.addAll(waiting);
        }
    }

    // ---------------------------------------------------------------- one operation

    /**
     * One submitted operation: run first to send it (or hold it back), then as its commands' completion listener, and
     * last, when a joining caller read its reply, as the completion that caller runs once it let go.
     */
    private final class Run<T> implements Runnable, JoinFuture.Reader, BooleanSupplier {
        static final int QUEUED = 0;
        static final int SENDING = 1;
        /** Ended while a joining caller read: {@link #result} or {@link #error} waits for it to let go. */
        static final int ENDED = 2;

        final Operation op;
        final Function<Operation, T> outcome;
        /** Completed with the outcome; null when {@link #done} is told instead. */
        final LoopFuture<T> future;
        final BiConsumer<? super T, Throwable> done;
        /** The lease handle whose call this is, checked before sending; null: none to check. */
        final Object lease;
        int state = QUEUED;
        AsyncStatementTimer.Watch watch;
        /** The outcome held for {@link #deliverLater}, without a completion object of its own. */
        T result;
        Throwable error;

        Run(Operation op, Function<Operation, T> outcome, Object lease, BiConsumer<? super T, Throwable> done) {
            this.op = op;
            this.outcome = outcome;
            this.lease = lease;
            this.done = done;
            this.future = done != null ? null : new JoinFuture<>(this); // the run reads for it: no reader object per statement
        }

        /** A caller joins this run's future: it reads the reply itself if nothing else is in flight. */
        @Override
        public boolean readUntilDone(JoinFuture<?> f, long deadlineNanos) {
            return driver.readHere(f, deadlineNanos, this, idle);
        }

        @Override
        public void completedElsewhere() {
            driver.wakeReader();
        }

        /** Whether this run is alone on the connection, so that its joining caller may read (acting thread). */
        @Override
        public boolean getAsBoolean() {
            return inFlight.get() == 1 && state == SENDING && heldBack == null && !op.pipelined() && shell.callerMayRead();
        }

        Run(Operation op, Function<Operation, T> outcome, LoopFuture<T> future) {
            this.op = op;
            this.outcome = outcome;
            this.lease = null; // run from a step that checked its lease on the acting thread
            this.future = future;
            this.done = null;
        }

        @Override
        public void run() {
            if (state == ENDED) { // the completion a reading caller runs once it let go (deliverLater)
                deliver(result, error);
            } else if (state == QUEUED) {
                if (heldBack != null) {
                    heldBack.add(this);
                } else {
                    state = SENDING;
                    send();
                }
            } else {
                completed();
            }
        }

        void send() {
            if (lease != null) { // a lease's statement: counted in flight before this check, so a give-back sees it
                TuskException ended = shell.leaseEnded(lease);
                if (ended != null) {
                    fail(ended);
                    return;
                }
            }
            TuskException broken = driver.failure();
            if (broken != null) {
                fail(shell.notSent(broken));
                return;
            }
            Command cmd;
            try {
                cmd = op.start();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (cmd == null) {
                end();
                return;
            }
            step(cmd);
        }

        private void step(Command cmd) {
            watch = timer.watch(op.timeout(), op.first(), cmd);
            cmd.onComplete(this);
            try {
                driver.send(cmd);
            } catch (RuntimeException e) { // a message that cannot be written: the core kept nothing of it
                if (watch != null) {
                    watch.stop();
                }
                fail(e);
                return;
            }
            op.sent(cmd);
            if (op.pipelined() && !cmd.isDone()) { // done already: refused, the pipeline is aborted until the next Sync
                Frontend.flush(driver.core().output()); // its results come back now, not only at the next Sync
            }
        }

        private void completed() {
            Duration fired = watch != null ? watch.stop() : null;
            CompletableFuture<Void> cancelling = fired != null ? watch.cancelInFlight() : null;
            if (cancelling != null) { // resumed once the server handled the cancel (bounded by its timeout)
                cancelling.whenComplete((v, e) -> driver.execute(() -> resume(fired)));
                return;
            }
            resume(fired);
        }

        private void resume(Duration fired) {
            Command next = op.resume(fired);
            if (next != null) {
                step(next);
                return;
            }
            end();
        }

        private void end() {
            inFlight.decrementAndGet();
            TuskException e = op.failure();
            if (e != null) {
                TuskException seen = shell.error(op, e);
                op.observeEnd(seen);
                failFuture(seen);
                return;
            }
            T value;
            try {
                value = outcome.apply(op);
            } catch (RuntimeException ex) {
                op.observeEnd(ex);
                failFuture(ex);
                return;
            }
            op.observeEnd(null);
            if (driver.readingHere()) { // a joining caller reads: complete once it let go of the connection
                deliverLater(value, null);
                return;
            }
            deliver(value, null);
            driver.wakeReader();
        }

        /** The reading caller completes the future once it let go of the connection: this run is that completion. */
        private void deliverLater(T value, Throwable e) {
            result = value;
            error = e;
            state = ENDED;
            driver.completeAfterRead(future, this);
        }

        /** Completes the future, or tells {@link #done}. */
        void deliver(T value, Throwable e) {
            if (done == null) {
                if (e == null) {
                    future.complete(value);
                } else {
                    future.completeExceptionally(e);
                }
                return;
            }
            try {
                done.accept(value, e);
            } catch (RuntimeException bug) {
                // the callback's own failure, not the connection's: the loop goes on, as after a future's stage
            }
        }

        private void fail(Throwable e) {
            inFlight.decrementAndGet();
            op.observeEnd(e);
            failFuture(e);
        }

        private void failFuture(Throwable e) {
            if (driver.readingHere()) {
                deliverLater(null, e);
                return;
            }
            deliver(null, e);
            driver.wakeReader();
        }
    }
}
