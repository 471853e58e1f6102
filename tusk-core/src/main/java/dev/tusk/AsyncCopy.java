package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.LoopDemand;
import dev.tusk.internal.async.Refusal;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.CopyOperation;
import dev.tusk.internal.op.CopyRows;
import dev.tusk.internal.op.StatementTimer;
import dev.tusk.internal.wire.Utf8;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A COPY in progress on an {@link AsyncConnection}: psycopg's {@code AsyncCopy}. Obtained from
 * {@link AsyncCursor#copy(String)} once the server is ready; memory stays bounded both ways.
 *
 * <p><b>COPY ... FROM STDIN.</b> {@link #writeRow}, {@link #write(byte[])} and {@link #write(String)} collect
 * the data and hand it to the socket 64 KiB at a time; the future they return completes at once, or, when
 * the write handed data over, once the socket has taken it: waiting for it (or chaining on it) is the
 * back-pressure. {@link #finish()} sends CopyDone and completes with the rows copied, or fails with the
 * server's error; {@link #abort(String)} sends CopyFail so nothing is written.
 *
 * <pre>{@code
 * conn.cursor().copy("COPY users (id, name) FROM STDIN").thenCompose(copy -> {
 *     copy.writeRow(1, "Alice");
 *     copy.writeRow(2, "Bob");
 *     return copy.finish();                 // 2
 * });
 * }</pre>
 *
 * <p><b>COPY ... TO STDOUT.</b> The data arrives as {@link #chunks()} (one per row in text format),
 * {@link #rows()} (text format, unescaped) or one {@link #read()} at a time. The server is read only as
 * fast as the consumer asks: while 128 chunks wait, the socket is left alone and TCP holds the server back.
 *
 * <pre>{@code
 * conn.cursor().copy("COPY users TO STDOUT").thenAccept(copy -> copy.rows().subscribe(subscriber));
 * }</pre>
 *
 * <p>While a COPY FROM is running, statements submitted on the connection wait until its data has ended
 * ({@code finish} or {@code abort}); during a COPY TO they are sent but their results come after the
 * COPY's, so consume or {@link #finish()} it first. Signals and callbacks arrive on the event loop; a subscriber
 * whose onNext throws is cancelled (Reactive Streams rule 2.13: the rest of the data is dropped).
 *
 * <p>Each wait for the server (the start, the answer to {@code finish()} or {@code abort()}, data a consumer asked
 * for) runs under the connection's statement timeout, as {@link Copy}'s waits do: when it runs out the COPY is
 * cancelled and fails with QueryCanceled naming the timeout (a server that stays silent after the cancel breaks the
 * connection). The time the caller takes to write or to ask for data is not counted.
 */
public final class AsyncCopy implements AutoCloseable {
    private final AsyncConnection<?> conn;
    private final EventLoopDriver driver;
    /** The COPY's rules (start, data, end), shared with {@link Copy}. */
    private final CopyOperation op;
    private final CopyCommand cmd;
    private final AdaptersMap adapters;
    private final LoopFuture<AsyncCopy> started;
    private final LoopFuture<Long> done = new LoopFuture<>();

    /** Guards the fields below it: the caller's side of a COPY FROM. */
    private final ReentrantLock writing = new ReentrantLock();
    private CopyRows collected;
    private boolean dataEnded;

    /** The consumer of a COPY TO; loop thread only. */
    private final ArrayDeque<LoopFuture<byte[]>> reads = new ArrayDeque<>();
    private final LoopDemand<byte[]> demand;
    private boolean discarding;

    /**
     * The statement timeout's clock of the wait for the server going on (the start, the end after the data, or data
     * a consumer asks for), as the blocking {@link Copy} times each of its waits; null: none running. Loop thread.
     */
    private Supplier<Duration> clock;
    /** The timeout, once a clock fired (the COPY was cancelled because of it): its error says so. Loop thread. */
    private Duration fired;

    AsyncCopy(AsyncConnection<?> conn, CopyOperation op, AdaptersMap adapters, LoopFuture<AsyncCopy> started) {
        this.conn = conn;
        this.driver = conn.driver();
        this.op = op;
        this.cmd = op.command();
        this.adapters = adapters;
        this.started = started;
        this.demand = new LoopDemand<>(driver, this::pump, cancelled -> {
            discarding = true; // the rest is dropped
            pump();
        });
        cmd.onProgress(this::progressed);
        arm(op.first()); // the wait for the start, from its BEGIN's turn: constructed on the loop, before it is sent
    }

    /** True for a binary-format COPY. */
    public boolean isBinary() {
        return op.binary();
    }

    /**
     * The column type oids, as {@link Copy#setTypes}: binary {@link #writeRow} checks each value's dumper against
     * them; {@link #readRow()} and {@link #typedRows()} load each value as its type.
     */
    public void setTypes(int... oids) {
        writing.lock();
        try {
            collected().setTypes(oids);
        } finally {
            writing.unlock();
        }
    }

    /** Rows copied, from the command tag ("COPY 42"), once the COPY has ended; else -1. */
    public long rowcount() {
        return op.rowcount();
    }

    /** The COPY statement's command (its columns and format), for the cursor that started it. */
    CopyCommand command() {
        return cmd;
    }

    // ------------------------------------------------------------------ COPY FROM STDIN

    /** Sends one row, each value dumped by the adapters (text format: escaped; binary: typed). */
    public CompletableFuture<Void> writeRow(Object... values) {
        writing.lock();
        try {
            requireIn("writeRow");
            collected().writeRow(values);
            return shipIfFull();
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        } finally {
            writing.unlock();
        }
    }

    /** Sends raw data in the COPY's format. */
    public CompletableFuture<Void> write(byte[] data) {
        writing.lock();
        try {
            requireIn("write");
            collected().write(data, 0, data.length);
            return shipIfFull();
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        } finally {
            writing.unlock();
        }
    }

    /** Sends text (COPY text or CSV format), encoded as UTF-8. */
    public CompletableFuture<Void> write(String data) {
        return write(Utf8.encode(data, "the COPY data"));
    }

    /**
     * Ends the COPY. FROM STDIN: sends what is collected, the binary trailer and CopyDone; TO STDOUT: drops the
     * data not consumed. The future completes with the rows copied once the server confirms, or fails with
     * its error (the connection stays usable either way). Idempotent.
     */
    public CompletableFuture<Long> finish() {
        CopyRows rest = endData();
        if (rest != null) {
            driver.execute(() -> {
                if (!cmd.isDone()) {
                    op.finishInput(driver.core().output(), rest);
                    inputEnded();
                }
            });
        } else if (cmd.direction() == CopyCommand.Direction.OUT) {
            driver.execute(() -> {
                discarding = true;
                pump();
            });
        }
        return done;
    }

    /**
     * Ends a COPY FROM with CopyFail: the server rolls the COPY back (with an explicit transaction open, the
     * transaction is then in error). The future completes once the server has confirmed; a COPY TO is
     * finished as by {@link #finish()}.
     */
    public CompletableFuture<Void> abort(String reason) {
        CopyRows rest = endData();
        if (rest != null) {
            driver.execute(() -> {
                if (!cmd.isDone()) {
                    op.failInput(driver.core().output(), rest, reason);
                    inputEnded();
                }
            });
        } else {
            finish();
        }
        return done.handle((n, e) -> {
            if (e != null && driver.failure() != null) { // not the server's confirmation: the connection is gone
                throw new CompletionException(LoopFuture.unwrap(e));
            }
            return null;
        });
    }

    /**
     * Ends the COPY without waiting, if {@link #finish()} or {@link #abort(String)} did not. A COPY FROM is
     * ended with CopyFail, so nothing is copied: a try-with-resources block cannot see the exception that
     * ends it, so only {@code finish()} keeps the rows (as {@link Copy#close()}); the future {@code finish()}
     * returns then fails with the server's confirmation of the CopyFail. A COPY TO is finished as by
     * {@code finish()}: the data not consumed is dropped.
     */
    @Override
    public void close() {
        if (cmd.direction() == CopyCommand.Direction.IN) {
            abort(CopyOperation.CLOSED_WITHOUT_FINISH); // does nothing once finish() or abort() ended the data
        } else {
            finish();
        }
    }

    /** Once enough is collected, hands it to the loop as one CopyData message. */
    private CompletableFuture<Void> shipIfFull() {
        if (!collected().isFull()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] chunk = collected().take();
        LoopFuture<Void> shipped = new LoopFuture<>();
        driver.execute(() -> {
            if (cmd.isDone()) {
                shipped.completeExceptionally(endedError());
                return;
            }
            op.data(driver.core().output(), chunk);
            driver.whenFlushed(() -> {
                TuskException broken = driver.failure();
                if (broken != null) {
                    shipped.completeExceptionally(new OperationalException("the COPY data could not be sent: "
                            + ConnectionErrors.unusable(broken), broken));
                } else {
                    shipped.complete(null);
                }
            });
        });
        return shipped;
    }

    /**
     * Marks the data ended; for a COPY FROM returns the rows collected and not yet shipped (no writer touches
     * them any more: the loop thread takes them over), else null.
     */
    private CopyRows endData() {
        writing.lock();
        try {
            if (dataEnded || cmd.direction() != CopyCommand.Direction.IN) {
                dataEnded = true;
                return null;
            }
            dataEnded = true;
            return collected();
        } finally {
            writing.unlock();
        }
    }

    /** Loop thread: CopyDone or CopyFail is written; the server may answer, other statements may follow. */
    private void inputEnded() {
        arm(cmd); // the wait for the server's answer to CopyDone or CopyFail
        cmd.inputFinished();
        driver.flush();
        conn.waiter.releaseHeldBack();
        driver.resume();
    }

    private CopyRows collected() {
        if (collected == null) {
            collected = new CopyRows(isBinary(), adapters);
        }
        return collected;
    }

    private void requireIn(String call) {
        ProgrammingException wrong = op.wrongDirection(call, true);
        if (wrong != null) {
            throw wrong;
        }
        if (dataEnded) {
            throw new ProgrammingException(call + "() after finish() or abort(): the COPY's data has ended");
        }
    }

    // ------------------------------------------------------------------ COPY TO STDOUT

    /**
     * The next chunk of data (a row, in text format); the future completes with null at the end, or fails with
     * the server's error.
     */
    public CompletableFuture<byte[]> read() {
        ProgrammingException wrong = op.wrongDirection("read", false);
        if (wrong != null) {
            return LoopFuture.failed(wrong);
        }
        LoopFuture<byte[]> f = new LoopFuture<>();
        driver.execute(() -> {
            reads.add(f);
            pump();
        });
        return f;
    }

    /**
     * The data as a publisher with back-pressure: one subscriber, which receives the chunks (a row each in
     * text format) as it requests them, then onComplete, or onError with the server's error. Cancelling drops
     * the rest.
     */
    public Flow.Publisher<byte[]> chunks() {
        return s -> driver.execute(() -> subscribe(s));
    }

    /**
     * The next row of a COPY TO, as {@link Copy#readRow()}: typed by {@link #setTypes}, text or binary; the future
     * completes with null at the end, or fails with the server's error.
     */
    public CompletableFuture<List<Object>> readRow() {
        CopyRows parser = reader();
        return read().thenCompose(chunk -> {
            if (chunk == null) {
                return CompletableFuture.completedFuture(null);
            }
            List<Object> row = parser.parseRow(chunk);
            return row != null ? CompletableFuture.completedFuture(row) : readRow();
        });
    }

    /**
     * The rows of a COPY TO as {@link #readRow()} reads them (typed by {@link #setTypes}, text or binary), with
     * back-pressure as {@link #chunks()}.
     */
    public Flow.Publisher<List<Object>> typedRows() {
        CopyRows parser = reader();
        return rowsOf(parser::parseRow);
    }

    /**
     * The chunks of a COPY TO, each read by {@code parse} into a row, with the chunks' back-pressure; a chunk that
     * makes no row (null: the binary header or trailer) asks for one chunk more, and a chunk {@code parse} refuses
     * cancels the COPY's data and fails the subscriber.
     */
    private <T> Flow.Publisher<T> rowsOf(Function<byte[], T> parse) {
        return s -> chunks().subscribe(new Flow.Subscriber<byte[]>() {
            private Flow.Subscription upstream;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                upstream = subscription;
                s.onSubscribe(subscription);
            }

            @Override
            public void onNext(byte[] chunk) {
                T row;
                try {
                    row = parse.apply(chunk);
                } catch (RuntimeException e) {
                    upstream.cancel();
                    s.onError(e);
                    return;
                }
                if (row != null) {
                    s.onNext(row);
                } else {
                    upstream.request(1); // a chunk without a row (the binary header or trailer) used none of the demand
                }
            }

            @Override
            public void onError(Throwable t) {
                s.onError(t);
            }

            @Override
            public void onComplete() {
                s.onComplete();
            }
        });
    }

    private CopyRows reader() {
        writing.lock();
        try {
            return collected();
        } finally {
            writing.unlock();
        }
    }

    /**
     * The rows of a text-format COPY TO, each as its column values (null for \N), unescaped; as {@link #chunks()}.
     * The values stay text: after {@link #setTypes} (and for a binary COPY) use {@link #typedRows()}.
     */
    public Flow.Publisher<List<String>> rows() {
        RuntimeException refused = op.textRowsRefusal(reader().hasTypes(), "chunks()");
        if (refused != null) {
            return s -> Refusal.refuse(s, refused);
        }
        return rowsOf(CopyRows::parseTextRow);
    }

    private void subscribe(Flow.Subscriber<? super byte[]> s) {
        ProgrammingException wrong = demand.attached()
                ? new ProgrammingException("the COPY's data already has a subscriber") : op.wrongDirection("chunks", false);
        if (wrong != null) {
            Refusal.refuse(s, wrong);
            return;
        }
        demand.subscribe(s);
    }

    /** The core handled a message of this COPY (loop thread, inside the core): deliver soon, not from here. */
    private void progressed() {
        if (!started.isDone() && cmd.direction() != CopyCommand.Direction.UNKNOWN) {
            if (cmd.direction() == CopyCommand.Direction.OUT) {
                conn.waiter.releaseHeldBack(); // nothing more to write: later statements may be sent behind it
            }
            disarm(); // started: a COPY FROM now waits for the caller's data, a COPY TO's data is timed by the pump
            started.complete(this);
        }
        demand.schedulePump();
    }

    /** Loop thread: hands queued chunks to the consumer as far as it asked, ends it at the end, reads on. */
    private void pump() {
        byte[] chunk;
        while ((discarding || !reads.isEmpty() || demand.wants()) && (chunk = cmd.nextChunk()) != null) {
            if (started.isDone()) {
                disarm(); // the server answered the wait: a later one starts its own clock
            }
            if (discarding) {
                continue;
            }
            if (!reads.isEmpty()) {
                reads.poll().complete(chunk);
            } else {
                demand.next(chunk);
            }
        }
        if (cmd.isDone() && !cmd.hasChunk()) {
            TuskException e = done.isCompletedExceptionally() ? endedError() : null;
            LoopFuture<byte[]> r;
            while ((r = reads.poll()) != null) {
                if (e != null) {
                    r.completeExceptionally(e);
                } else {
                    r.complete(null);
                }
            }
            demand.end(e);
            return;
        }
        if (started.isDone() && cmd.direction() == CopyCommand.Direction.OUT
                && (discarding || !reads.isEmpty() || demand.wants())) {
            arm(cmd); // the consumer waits for data from the server
        }
        driver.resume();
    }

    /**
     * Starts the statement timeout's clock of a wait for the server, unless one runs, from when {@code first} reaches
     * the head of the pipeline. Loop thread.
     */
    private void arm(Command first) {
        if (clock == null && !cmd.isDone()) {
            clock = conn.waiter.watch(conn.state.statementTimeout(), first, cmd);
        }
    }

    /** Stops the clock of the wait that ended, noting whether it fired. Loop thread. */
    private void disarm() {
        Supplier<Duration> c = clock;
        if (c != null) {
            clock = null;
            Duration f = c.get();
            if (f != null) {
                fired = f;
            }
        }
    }

    // ------------------------------------------------------------------ the end

    /** Loop thread: the COPY's last message arrived, or the connection was lost; {@code error}: as it ended. */
    void ended(TuskException error) {
        disarm();
        if (error != null && fired != null) {
            error = StatementTimer.timedOut(fired, error); // QueryCanceled naming the timeout, as Copy's
        }
        if (error != null) {
            started.completeExceptionally(error);
            done.completeExceptionally(error);
        } else {
            done.complete(rowcount());
        }
        demand.schedulePump();
    }

    private TuskException endedError() {
        Throwable t = done.handle((n, e) -> e).getNow(null);
        t = LoopFuture.unwrap(t);
        if (t instanceof TuskException te) {
            return te;
        }
        return new OperationalException("the COPY has ended" + (t == null ? "" : ": " + t.getMessage()), t);
    }
}
