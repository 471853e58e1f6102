package dev.tusk.replication;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.LoopDemand;
import dev.tusk.internal.async.Refusal;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.types.Lsn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * A running {@code START_REPLICATION} on an {@link dev.tusk.AsyncConnection}, as a {@link Flow.Publisher} with
 * back-pressure: of decoded {@link PgOutputMessage}s ({@link AsyncReplicationConnection#startPgOutput}) or of raw
 * {@link XLogData} ({@link AsyncReplicationConnection#startLogical}, {@link AsyncReplicationConnection#startPhysical}).
 * The positions, status updates and deadlines follow the same rules as the blocking {@link ReplicationStream}.
 *
 * <pre>{@code
 * rc.startPgOutput("shop_cdc", Lsn.INVALID, PgOutputOptions.publications("shop")).thenAccept(changes ->
 *     changes.subscribe(new Flow.Subscriber<PgOutputMessage>() {
 *         Flow.Subscription s;
 *         public void onSubscribe(Flow.Subscription s) { this.s = s; s.request(100); }
 *         public void onNext(PgOutputMessage m) {
 *             if (m instanceof PgOutputMessage.Commit c) changes.acknowledge(c.endLsn());   // processed
 *             s.request(1);
 *         }
 *         public void onError(Throwable t) { }   // reconnect and start again from the slot
 *         public void onComplete() { }
 *     }));
 * }</pre>
 *
 * <p><b>Back-pressure.</b> Messages are decoded and delivered only as the subscriber requests them. Received
 * messages wait for demand in a queue of at most 256; once it is full the event loop stops reading the socket
 * (beyond 64 KiB already read), so TCP holds the server back: a slow subscriber slows the server's sending, and
 * the heap does not grow. Meanwhile the stream still sends its status updates on the loop every
 * {@link StreamOptions#statusInterval()}, so the server does not take a slow subscriber for a dead one.
 *
 * <p><b>Positions.</b> {@link #acknowledge} (any thread) records what the application has processed; the next
 * status update reports exactly that as flushed. A stream started again from the slot delivers every change
 * after the last acknowledged commit: at least once.
 *
 * <p><b>The end.</b> {@code cancel()} of the subscription, or {@link #close()}, ends the stream: a last status
 * update, CopyDone, and what the server still sends is dropped; the connection can then run replication commands
 * again ({@link #closeAsync()} completes then), and can be closed at any moment without waiting. A server that is
 * silent for {@link StreamOptions#serverTimeout()}, a cut connection, or the server's error fail the subscriber
 * ({@code onError}) and leave the connection {@linkplain dev.tusk.AsyncConnection#isBroken() broken}; the end of
 * the stream by the server completes it. One subscriber; signals arrive on the event loop, so {@code onNext} must
 * not block: hand slow work to another thread and request more when it is done.
 *
 * @param <T> what the stream delivers
 */
public final class AsyncReplicationStream<T> extends StreamPositions implements Flow.Publisher<T>, AutoCloseable {
    private final EventLoopDriver driver;
    private final CopyBothCommand cmd;
    private final StreamProtocol rules;
    private final Function<XLogData, ? extends T> decode;
    private final PgOutputDecoder pgOutput;
    private final String what;
    private long startDeadline;
    private final LoopFuture<AsyncReplicationStream<T>> started = new LoopFuture<>();
    private final LoopFuture<Void> done = new LoopFuture<>();

    // loop thread only
    private final LoopDemand<T> demand;
    private boolean subscribed;
    private boolean finishing;
    private boolean commandEnded;
    private TuskException endError;
    /** Why the subscriber was failed by the stream itself (a message that could not be decoded), or null. */
    private Throwable failure;
    /** The user ended the stream (cancel, close): its end is no failure of {@link #closeAsync()}. */
    private boolean userEnded;
    private OperationalException gaveUp;
    private EventLoop.Timer timer;

    private volatile boolean ended;
    /** Since when (System.nanoTime(), odd) output has waited for the socket; 0: none waits. Loop thread. */
    private long unwrittenSince;
    /** The {@link #sendStatusNow} calls while output waited: one update answers them all once it is written. */
    private final List<LoopFuture<Void>> owed = new ArrayList<>();
    private volatile int buffered;
    private volatile int maxBuffered;

    AsyncReplicationStream(EventLoopDriver driver, CopyBothCommand cmd, StreamOptions options, boolean physical,
                           String what, Lsn start, Function<XLogData, ? extends T> decode, PgOutputDecoder pgOutput) {
        this.driver = driver;
        this.cmd = cmd;
        this.what = what;
        this.decode = decode;
        this.pgOutput = pgOutput;
        this.rules = new StreamProtocol(cmd, driver.core(), StreamProtocol.Link.of(this::flush, cause -> {
            gaveUp = cause;
            driver.fail(cause);
        }), options, physical, what, start);
        this.demand = new LoopDemand<>(driver, this::pump, cancelled -> {
            if (cancelled) {
                userEnded = true; // the user's end is no failure of closeAsync()
            }
            finish();
        });
        cmd.onProgress(this::progressed);
        cmd.onHead(this::sent);
    }

    @Override
    StreamProtocol rules() {
        return rules;
    }

    /** The command was sent (it reached the head of the core's queue): the start is bounded by the server timeout. */
    private void sent() {
        startDeadline = System.nanoTime() + rules.options().serverTimeout().toNanos();
        timer = driver.schedule(rules.options().serverTimeout().toNanos(), this::tick);
    }

    /** Completes once the server streams; fails with its error (no such slot...) or when it does not start in time. */
    CompletableFuture<AsyncReplicationStream<T>> started() {
        return started;
    }

    // ------------------------------------------------------------------ the publisher

    /** Subscribes the one subscriber the stream takes; a second one is refused with a {@code ProgrammingException}. */
    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        driver.execute(() -> {
            if (subscribed) {
                Refusal.refuse(s, new ProgrammingException(what + " takes one subscriber: it already has one"));
                return;
            }
            subscribed = true;
            demand.subscribe(s);
        });
    }

    // ------------------------------------------------------------------ on the loop

    /** The core handled a message of the command (inside the core): the server is alive; deliver soon. */
    private void progressed() {
        rules.heard(System.nanoTime());
        demand.schedulePump();
    }

    /** Delivers what is queued as far as the subscriber asked, answers keepalives, ends at the end, reads on. */
    private void pump() {
        if (!started.isDone() && cmd.started()) {
            if (finishing) {
                rules.finish(); // closed before the server started: end it now
            } else {
                cancelTimer();
                timer = driver.schedule(Math.max(1_000_000L, nextTick() - System.nanoTime()), this::tick);
            }
            started.complete(this);
        }
        byte[] m;
        while ((m = nextMessage()) != null) {
            T item;
            try {
                XLogData x = rules.handle(m);
                if (x == null) {
                    continue; // a keepalive
                }
                item = decode.apply(x);
            } catch (RuntimeException e) {
                failSubscriber(e);
                break;
            }
            demand.next(item);
        }
        int queued = cmd.queued();
        buffered = queued;
        if (queued > maxBuffered) {
            maxBuffered = queued;
        }
        if (commandEnded && !cmd.hasMessage()) {
            end();
            return;
        }
        driver.resume();
    }

    /** The next message to handle: one the subscriber asked for, or a keepalive at the head even without demand. */
    private byte[] nextMessage() {
        if (demand.wants()) {
            return cmd.nextMessage();
        }
        byte[] head = cmd.peekMessage();
        return head != null && head.length > 0 && head[0] == StreamProtocol.PRIMARY_KEEPALIVE ? cmd.nextMessage() : null;
    }

    /** A message could not be decoded: the subscriber fails with why, the stream is ended. */
    private void failSubscriber(Throwable e) {
        Flow.Subscriber<? super T> s = demand.detach();
        if (failure == null) {
            failure = e;
        }
        finish();
        if (s != null) {
            s.onError(e);
        }
    }

    /**
     * Writes what the core holds; what the socket does not take at once is timed: a server that stopped reading and
     * does not take it within the server timeout is given up on by {@link #tick} (the output cannot grow for ever).
     */
    private void flush() {
        driver.flush();
        if (unwrittenSince == 0 && !driver.core().output().isEmpty()) {
            unwrittenSince = System.nanoTime() | 1;
            driver.whenFlushed(this::written);
        }
    }

    /** Completes {@code f} once the output is written, or fails it with the stream's error. Loop thread. */
    private void whenWritten(LoopFuture<Void> f) {
        driver.whenFlushed(() -> {
            TuskException e = driver.failure();
            if (e != null) {
                f.completeExceptionally(gaveUp != null ? gaveUp : rules.lost(e));
            } else {
                f.complete(null);
            }
        });
    }

    /** The output waiting for the socket was written: the updates asked for meanwhile leave as one. Loop thread. */
    private void written() {
        unwrittenSince = 0;
        if (owed.isEmpty()) {
            return;
        }
        List<LoopFuture<Void>> waiting = new ArrayList<>(owed);
        owed.clear();
        driver.execute(() -> {
            if (!ended && !finishing) {
                rules.sendStatus(false);
            }
            waiting.forEach(this::whenWritten);
        });
    }

    /** Whether output has waited for the server longer than the server timeout (then given up on). */
    private boolean notRead(long now) {
        if (unwrittenSince != 0 && now - unwrittenSince >= rules.options().serverTimeout().toNanos()) {
            rules.giveUp(rules.notRead());
            return true;
        }
        return false;
    }

    /** When {@link #tick} must next run: the rules' next wake, or the end of an unwritten output's time. */
    private long nextTick() {
        long wake = rules.nextWake();
        long since = unwrittenSince;
        if (since != 0) {
            long bound = since + rules.options().serverTimeout().toNanos();
            wake = bound - wake < 0 ? bound : wake;
        }
        return wake;
    }

    /** Status updates on the interval, a keepalive request to a silent server, giving up on one that stays silent. */
    private void tick() {
        timer = null;
        if (ended || commandEnded || finishing) {
            return;
        }
        long now = System.nanoTime();
        if (!cmd.started()) {
            if (now - startDeadline >= 0) {
                rules.giveUp("the server did not start the stream within " + rules.options().serverTimeout().toMillis() + " ms");
                return;
            }
            timer = driver.schedule(startDeadline - now, this::tick);
            return;
        }
        if (notRead(now)) {
            return; // given up: the command ends with it, the subscriber is told
        }
        if (cmd.hasMessage()) {
            rules.heard(now); // the subscriber is behind, not the server
        }
        try {
            rules.maintain(now);
        } catch (OperationalException e) {
            return; // given up: the command ends with it, the subscriber is told
        }
        timer = driver.schedule(Math.max(1_000_000L, nextTick() - now), this::tick);
    }

    /** Ends the client's side (cancel, close, a decoding failure); past the close timeout the connection is closed. */
    private void finish() {
        if (finishing || commandEnded) {
            return;
        }
        finishing = true;
        cancelTimer();
        cmd.discardOutput();
        if (rules.finish()) {
            driver.resume(); // what the server still sends is dropped as it comes
            long closeTimeout = rules.options().closeTimeout().toNanos();
            timer = driver.schedule(closeTimeout, () -> {
                if (!commandEnded) {
                    rules.giveUp("the server did not end the stream within " + rules.options().closeTimeout().toMillis()
                            + " ms of the client's CopyDone");
                }
            });
        }
    }

    private void cancelTimer() {
        EventLoop.Timer t = timer;
        timer = null;
        if (t != null) {
            t.cancel();
        }
    }

    /** The command has ended (its last message, or the connection was lost): deliver what is left, then the end. */
    void commandEnded(TuskException error) {
        commandEnded = true;
        if (error != null) {
            endError = gaveUp != null ? gaveUp
                    : error.sqlstate() != null || driver.failure() == null ? error
                    : rules.lost(error);
        }
        demand.schedulePump();
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        cancelTimer();
        TuskException e = endError;
        if (!started.isDone()) {
            started.completeExceptionally(e != null ? e : new OperationalException("the server ended " + what + " before it started"));
        }
        demand.end(e);
        Throwable f = failure != null ? failure : e;
        if (f != null && !userEnded) {
            done.completeExceptionally(f);
        } else {
            done.complete(null);
        }
    }

    // ------------------------------------------------------------------ any thread

    /**
     * Sends a status update now, with the positions acknowledged so far; completes once it is written. While an
     * earlier update still waits for the socket, the calls meanwhile are answered by one update sent after it (the
     * output of a server that stopped reading does not grow); one that is not written within the server timeout
     * fails the stream, and these futures, with an {@link OperationalException}.
     */
    public CompletableFuture<Void> sendStatusNow() {
        LoopFuture<Void> f = new LoopFuture<>();
        driver.execute(() -> {
            if (!ended && !finishing && unwrittenSince != 0) {
                owed.add(f); // an update waits for the socket already: one more, with the newest positions, once it is written
                return;
            }
            if (!ended && !finishing) {
                rules.sendStatus(false);
            }
            whenWritten(f);
        });
        return f;
    }

    /** How many received messages wait for the subscriber's demand now (at most 256). */
    public int bufferedMessages() {
        return buffered;
    }

    /** The most messages that ever waited for the subscriber's demand (at most 256: see the class comment). */
    public int maxBufferedMessages() {
        return maxBuffered;
    }

    /** The latest description received of table {@code oid} (a pgoutput stream), or null. Loop thread or after the end. */
    public PgOutputMessage.Relation relation(int oid) {
        return pgOutput == null ? null : pgOutput.relation(oid);
    }

    /** Whether the stream has ended (by the server, an error, or cancel/close once the server confirmed). */
    public boolean isEnded() {
        return ended;
    }

    /** A physical stream that ended at the end of its timeline: where it goes on; null otherwise. */
    public ReplicationStream.NextTimeline nextTimeline() {
        return ended ? rules.nextTimeline() : null;
    }

    /**
     * Ends the stream as the subscription's {@code cancel()} does (the subscriber receives nothing more) and returns
     * at once; see {@link #closeAsync()}. Idempotent.
     */
    @Override
    public void close() {
        closeAsync();
    }

    /**
     * Ends the stream: completes once the server has confirmed (the connection then runs commands again), or
     * fails with the error the stream ended with before. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        driver.execute(() -> {
            demand.detach();
            subscribed = true;
            if (!ended && failure == null && endError == null) {
                userEnded = true;
            }
            finish();
        });
        return done;
    }

    @Override
    public String toString() {
        return rules + (ended ? " (ended)" : "");
    }
}
