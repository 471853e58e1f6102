package dev.tusk.internal.io;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.wire.InputBuffer;
import dev.tusk.internal.wire.MessageWriter;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import javax.net.ssl.SSLEngine;

/**
 * Drives a {@link ProtocolCore} over a non-blocking {@link SocketChannel} (TCP or Unix-domain) on one
 * {@link EventLoop}: writes the core's output when there is some (asking for OP_WRITE only while bytes
 * remain unsent), reads whatever arrives into the core's input and lets the core dispatch it.
 *
 * <p>One thread at a time <em>acts for</em> the connection: the loop thread while it handles the connection's
 * I/O, its tasks ({@link #execute}) and its timers ({@link #schedule}), or a caller's thread sending a
 * statement itself ({@link #tryRunHere}). Every method except {@link #failure()}, {@link #loop()},
 * {@link #execute}, {@link #schedule} and {@link #tryRunHere} must be called by the thread acting for the
 * connection. Only the loop thread ever waits to act; other threads try, and queue their task for the loop
 * when they cannot, so a caller never waits for the loop (except a caller reading a joined reply itself,
 * {@link CallerRead}, which may wait for the loop's short turns between its reads).
 *
 * <p>The socket is read by the loop, except while a caller's thread joining a statement's future reads it
 * itself ({@link #readHere}): the loop then takes OP_READ off its key when it sees the reply arrive, and puts
 * it back once the caller let go ({@link #rearmIfIdle}).
 */
public final class EventLoopDriver implements EventLoop.Handler {
    private static final int MAX_READS_PER_WAKEUP = 16;
    /**
     * False: a statement submitted on the connection's own loop thread is queued as from any other thread
     * ({@code -Ddev.tusk.loopInline=false}; measurements compare both ways in one JVM).
     */
    static boolean runOnLoop = !"false".equals(System.getProperty("dev.tusk.loopInline"));
    /** Input held back by a paused core beyond which the socket is no longer read. */
    private static final int PAUSE_READING_AT = 1 << 16;

    private final EventLoop loop;
    private final ProtocolCore core;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean connected;
    private CompletableFuture<Void> connecting;
    private int outSent;
    /** Socket writes so far (see {@link #writes()}); acting thread. */
    private long writes;
    private boolean flushQueued;
    /** Set by {@link #flushSoon} on a caller's thread: {@link #tryRunHere} writes once its task is done. */
    private boolean flushAfterTask;
    private IntConsumer byteWaiter;
    private ByteBuffer readView;
    private ByteBuffer writeView;
    private volatile Runnable closeListener;
    private volatile TuskException failure;
    private volatile boolean closed;
    private ReadTimeout readTimeout;
    /** TLS over the channel once {@link #startTls} was called, else null. */
    private TlsChannel tls;
    private TlsHandshake handshake;
    /** True while the core holds input back (a COPY's consumer is behind): the socket is not read. */
    private boolean readPaused;
    /** How the socket ended while a paused core still held input; applied once that input is processed. */
    private Runnable deferredLoss;
    /** Run once the output has been written out completely (see {@link #whenFlushed}). */
    private final ArrayDeque<Runnable> flushWaiters = new ArrayDeque<>();
    /** Held by the thread acting for the connection (see the class comment). */
    private final ReentrantLock acting = new ReentrantLock();
    /** Tasks given to {@link #execute} that have not run yet: a caller sending itself must not overtake them. */
    private final AtomicInteger queued = new AtomicInteger();
    /** The caller's thread that reads the socket for a joined future ({@link CallerRead}), or null: the loop reads. */
    final AtomicReference<Thread> reader = new AtomicReference<>();
    private final CallerRead callerRead = new CallerRead(this);
    /** The loop took OP_READ off its key because a caller owned the read; acting thread only. */
    private boolean loopDisarmed;

    public EventLoopDriver(EventLoop loop, ProtocolCore core) {
        this.loop = loop;
        this.core = core;
    }

    public EventLoop loop() {
        return loop;
    }

    public ProtocolCore core() {
        return core;
    }

    /** Why the connection broke, or null while it works (any thread). */
    public TuskException failure() {
        TuskException f = failure;
        // the core fails its commands before process() returns and this field is set: a caller woken by one
        // of those failures must already see the connection broken
        return f != null ? f : core.brokenBy();
    }

    public boolean isClosed() {
        return closed;
    }

    /** The channel, once {@link #connect} was called (for socket options). */
    public SocketChannel channel() {
        return channel;
    }

    /**
     * Opens a channel and connects it to {@code address} (an InetSocketAddress already resolved, or a
     * UnixDomainSocketAddress). The future completes on the loop thread. Loop thread only.
     */
    public CompletableFuture<Void> connect(SocketAddress address, boolean keepAlive) {
        CompletableFuture<Void> f = new LoopFuture<>();
        connecting = f;
        try {
            channel = Channels.openFor(address);
            if (!(address instanceof UnixDomainSocketAddress)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
            }
            channel.configureBlocking(false);
            if (channel.connect(address)) {
                key = loop.register(channel, SelectionKey.OP_READ, this);
                connectDone();
            } else {
                key = loop.register(channel, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException | RuntimeException e) {
            close();
            connecting = null;
            f.completeExceptionally(e);
        }
        return f;
    }

    private void connectDone() {
        connected = true;
        CompletableFuture<Void> f = connecting;
        connecting = null;
        flush();
        f.complete(null);
    }

    /** Runs {@code task} on the loop thread, acting for the connection, after the tasks queued before it. Any thread. */
    public void execute(Runnable task) {
        queued.incrementAndGet();
        loop.execute(() -> {
            acting.lock();
            try {
                queued.decrementAndGet();
                task.run();
            } finally {
                acting.unlock();
            }
        });
    }

    /** Runs {@code task} on the loop thread, acting for the connection, after {@code delayNanos}. Any thread. */
    public EventLoop.Timer schedule(long delayNanos, Runnable task) {
        return loop.schedule(delayNanos, () -> act(task));
    }

    /**
     * Runs {@code task} at once on the calling thread, acting for the connection, if no other thread acts for the
     * connection and no task given to {@link #execute} is still waiting; returns false, having run nothing,
     * otherwise. A statement sent this way from a caller's thread leaves without waking the loop: one thread
     * hand-off fewer per round trip; one sent from the loop's own thread (chained in another's completion) leaves
     * without a task of its own, its output written with the turn's others before the loop sleeps. On a caller's
     * thread the task must not run the user's code (completing a future the user already holds): that would make
     * the loop wait on whatever that code does.
     */
    public boolean tryRunHere(Runnable task) {
        if ((!runOnLoop && loop.inLoop()) || !acting.tryLock()) {
            return false;
        }
        return runActing(task);
    }

    /**
     * As {@link #tryRunHere}, for a statement submitted from a caller's thread while others are in flight on the
     * connection: runs it here only while the loop sleeps in its selector ({@link EventLoop#sleeping}), where handing
     * it over would wake the loop (a context switch and a turn) to make the same one write; false, having run nothing,
     * on the loop's thread and while the loop is in a turn: the task is then queued and leaves with that turn's output
     * in one write.
     */
    public boolean tryRunHereWhileLoopSleeps(Runnable task) {
        return !loop.inLoop() && loop.sleeping() && tryRunHere(task);
    }

    /**
     * Runs {@code task} with the acting lock the caller took, unless a task given to {@link #execute} still waits
     * (false, nothing run); writes what it sent; lets go of the lock.
     */
    private boolean runActing(Runnable task) {
        try {
            if (queued.get() > 0) {
                return false;
            }
            task.run();
            if (flushAfterTask) {
                flushAfterTask = false;
                flushHere();
            }
            return true;
        } finally {
            acting.unlock();
        }
    }

    /**
     * A pool's look at an idle connection before it lends it: reads what the socket holds now (the FATAL and the end
     * of a backend that exited while idle close the connection here), on the calling thread, without waiting for the
     * server and without waking the loop. Only when nothing acts for the connection, nothing is queued or being read by a
     * caller, and no TLS or paused read needs the loop's own handling; false (nothing read) otherwise: the loop then
     * reads as usual. Waits at most 2 ms, for the loop while it reads for this connection. Not on the loop thread.
     */
    public boolean readPendingHere() {
        if (loop.inLoop() || !actingSoon()) {
            return false;
        }
        if (closed || !connected || tls != null || readPaused || byteWaiter != null || reader.get() != null) {
            boolean gone = closed;
            acting.unlock();
            return gone;
        }
        return runActing(this::readIdle);
    }

    /** Reads what an idle connection's socket holds; a FATAL from the backend ends the connection now. Acting. */
    private void readIdle() {
        read();
        if (!closed && core.fatalWhileIdle() != null) {
            lost(null); // the backend said it ends the session: its end of stream may not have arrived yet
        }
    }

    /**
     * Takes the acting lock, waiting at most 2 ms for the loop (acting for an idle connection: it is reading what just
     * arrived, which a pool's look wants to see the end of).
     */
    private boolean actingSoon() {
        if (acting.tryLock()) {
            return true;
        }
        try {
            return acting.tryLock(2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void act(Runnable task) {
        acting.lock();
        try {
            task.run();
        } finally {
            acting.unlock();
        }
    }

    @Override
    public void ready(SelectionKey k) {
        acting.lock();
        try {
            handleReady(k);
        } finally {
            acting.unlock();
        }
    }

    private void handleReady(SelectionKey k) {
        if (!k.isValid()) { // a caller reading for a joined future closed the connection meanwhile
            return;
        }
        if (k.isConnectable()) {
            try {
                if (!channel.finishConnect()) {
                    return;
                }
            } catch (IOException e) {
                CompletableFuture<Void> f = connecting;
                connecting = null;
                close();
                if (f != null) {
                    f.completeExceptionally(e);
                }
                return;
            }
            k.interestOps(SelectionKey.OP_READ);
            connectDone();
            return;
        }
        if (handshake != null && !handshake.isDone()) {
            handshake.advance();
            return;
        }
        if (k.isValid() && k.isWritable()) {
            flush();
        }
        if (k.isValid() && k.isReadable() && !readPaused) {
            if (reader.get() != null) {
                disarm(); // the joining caller reads this reply: the loop stops watching until it let go
            } else {
                read();
            }
        }
    }

    // ---------------------------------------------------------------- a joining caller reads (CallerRead)

    /**
     * Reads the socket on the calling thread until {@code f} is done, as a blocking connection does, when
     * nothing else needs the loop to read ({@code alone}, checked while acting for the connection, and this
     * driver's own state: no TLS, no socket timeout, nothing queued or unsent, reading not paused); returns
     * whether {@code f} is done. False: the read was not taken, or was handed back to the loop (deadline
     * {@code deadlineNanos} of System.nanoTime() reached, 0 for none; the thread interrupted; the connection
     * closed): wait for {@code f} as usual. {@code idle}: nothing is in flight any more (once {@code f} is done);
     * if something is, the loop is woken to read for it. Not on a loop thread.
     */
    public boolean readHere(CompletableFuture<?> f, long deadlineNanos, BooleanSupplier alone, BooleanSupplier idle) {
        return callerRead.await(f, deadlineNanos, alone, idle);
    }

    /** True on the caller's thread while it reads for a joined future (a completion must then wait, see below). */
    public boolean readingHere() {
        return reader.get() == Thread.currentThread();
    }

    /**
     * Runs {@code completion} of {@code f}, completed while the calling thread reads for a joined future: once it
     * let go of the connection when {@code f} is the joined one, else on the loop (other futures complete there).
     */
    public void completeAfterRead(CompletableFuture<?> f, Runnable completion) {
        callerRead.deliver(f, completion);
    }

    /** A future completed off the reading caller's thread: wakes that caller, if one waits on the socket. */
    public void wakeReader() {
        if (reader.get() != null) {
            callerRead.wakeup();
        }
    }

    /** How many times the connection's output was handed to the socket (tests: one write per round trip). */
    public long writes() {
        return writes;
    }

    /** How many joined futures had their reply read by the joining caller (tests). */
    public long repliesReadByCallers() {
        return callerRead.repliesRead();
    }

    /** Whether a caller may take the read now; under the acting lock, which is tried only. */
    boolean claimRead(Thread me, BooleanSupplier alone) {
        if (!acting.tryLock()) {
            return false;
        }
        try {
            if (closed || !connected || tls != null || (handshake != null && !handshake.isDone()) || readPaused
                    || byteWaiter != null || readTimeout != null || queued.get() > 0 || !flushWaiters.isEmpty()
                    || outSent > 0 || core.output().position() > 0 || !alone.getAsBoolean()) {
                return false;
            }
            return reader.compareAndSet(null, me);
        } finally {
            acting.unlock();
        }
    }

    /** The reading caller reads what the socket holds, acting for the connection. */
    void readForCaller() {
        acting.lock();
        try {
            if (!closed) {
                read();
                flushAfterTask = false; // read() has written what a next step sent
            }
        } finally {
            acting.unlock();
        }
    }

    /** The reading caller lets go; {@code handBack}: the loop must read from now on (and is woken to). */
    void releaseRead(boolean handBack) {
        reader.set(null);
        if (closed) {
            callerRead.close();
            return;
        }
        if (handBack) {
            execute(this::rearm);
        }
    }

    /** The loop saw a reply for the reading caller: it stops watching the socket. Acting thread. */
    private void disarm() {
        if (key != null && key.isValid()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        }
        if (!loopDisarmed) {
            loopDisarmed = true;
            loop.disarmed(this);
        }
    }

    /**
     * The loop watches the socket again if no caller reads it; true when it does (or the connection is closed).
     * False, changing nothing, while another thread acts for the connection (a caller reading or sending): the loop
     * does not wait for that thread, which would have to wake it on letting go; it tries again at its next turn.
     * Loop thread.
     */
    boolean rearmIfIdle() {
        if (!acting.tryLock()) {
            return false;
        }
        try {
            if (closed) {
                loopDisarmed = false;
                return true;
            }
            if (reader.get() != null) {
                return false;
            }
            rearm();
            return true;
        } finally {
            acting.unlock();
        }
    }

    private void rearm() {
        if (loopDisarmed && reader.get() == null) {
            loopDisarmed = false;
            if (key != null && key.isValid() && !readPaused) {
                key.interestOps(key.interestOps() | SelectionKey.OP_READ);
            }
        }
    }

    SocketChannel channelForCaller() {
        return channel;
    }

    /**
     * Encodes {@code command} and writes it out: on the loop thread before it sleeps again, on a caller's
     * thread once its {@link #tryRunHere} task is done.
     */
    public void send(Command command) {
        core.send(command);
        if (readTimeout != null) {
            readTimeout.sent();
        }
        flushSoon();
    }

    /**
     * Writes the pending output at the end of the loop's turn, once the I/O and tasks of this turn have run, so
     * that statements submitted together leave in one write; on a caller's thread, once its {@link #tryRunHere}
     * task has run.
     */
    public void flushSoon() {
        if (!loop.inLoop()) {
            assert acting.isHeldByCurrentThread() : "a caller's thread sends only from tryRunHere";
            flushAfterTask = true;
            return;
        }
        if (!flushQueued) {
            flushQueued = true;
            loop.flushBeforeSleeping(this);
        }
    }

    /** The loop's turn ends: writes what {@link #flushSoon} left. Loop thread. */
    void flushAtTurnEnd() {
        acting.lock();
        try {
            flushQueued = false;
            flush();
        } finally {
            acting.unlock();
        }
    }

    /** Writes as much of the core's output as the socket takes now; the rest on OP_WRITE. Loop thread only. */
    public void flush() {
        if (!writable()) {
            return;
        }
        boolean done;
        try {
            done = writeOut();
        } catch (IOException e) {
            lost(e);
            return;
        }
        interest((readPaused || loopDisarmed ? 0 : SelectionKey.OP_READ) | (done ? 0 : SelectionKey.OP_WRITE));
        if (done) {
            runFlushWaiters();
        }
    }

    /**
     * A caller's thread acting for the connection writes what the socket takes at once. Whatever needs the
     * loop is left to its {@link #flush}: the rest of a partial write (OP_WRITE), a failure to report (the write
     * fails again there), waiters to run.
     */
    private void flushHere() {
        boolean done = false;
        if (writable() && flushWaiters.isEmpty() && !readPaused) {
            try {
                done = writeOut();
            } catch (IOException e) {
                // the loop's flush meets it again and reports it
            }
        }
        if (!done) {
            execute(this::flush);
        }
    }

    private boolean writable() {
        return connected && !closed && (handshake == null || handshake.isDone());
    }

    /** Hands the socket as much of the core's output as it takes now; true when none is left. */
    private boolean writeOut() throws IOException {
        MessageWriter out = core.output();
        int end = out.position();
        if (outSent < end) {
            ByteBuffer bb = view(out.array(), outSent, end - outSent, false);
            do {
                writes++;
            } while ((tls != null ? tls.write(bb) : channel.write(bb)) > 0 && bb.hasRemaining()); // took some: the rest
            outSent = bb.position();
        }
        boolean tlsPending = tls != null && !tls.flush();
        if (outSent < end) {
            return false;
        }
        out.clear();
        outSent = 0;
        return !tlsPending;
    }

    /**
     * Runs {@code waiter} once everything in the core's output has been handed to the socket (at once if it
     * has), or once the connection fails: the waiter checks {@link #failure()}. Loop thread only.
     */
    public void whenFlushed(Runnable waiter) {
        flushWaiters.add(waiter);
        flush();
        if (closed) {
            runFlushWaiters();
        }
    }

    private void runFlushWaiters() {
        Runnable w;
        while ((w = flushWaiters.poll()) != null) {
            w.run();
        }
    }

    /**
     * Lets the core go on with the input it held back once its head command no longer wants a pause, and
     * reads the socket again. Loop thread only.
     */
    public void resume() {
        if (closed) {
            return;
        }
        try {
            core.process();
        } catch (TuskException e) {
            failure = e; // the core has already failed its commands with e
            close();
            return;
        }
        if (readPaused && !core.paused()) {
            if (deferredLoss != null) {
                deferredLoss.run();
                return;
            }
            readPaused = false;
            flush();
            read();
        }
    }

    /** Bounds the waits for the server (ConnectOptions.socketTimeout); see {@link ReadTimeout}. Loop thread only. */
    void readTimeout(ReadTimeout t) {
        this.readTimeout = t;
    }

    /**
     * Starts TLS with {@code engine} (client mode, set up) over the connected channel: the future completes on
     * the loop thread once the handshake has finished, or fails with the SSLException or IOException that
     * ended it; from then on every byte is encrypted. Loop thread only.
     */
    public CompletableFuture<Void> startTls(SSLEngine engine) {
        tls = new TlsChannel(channel, engine);
        handshake = new TlsHandshake(tls, loop, this::interest);
        handshake.advance();
        return handshake.done();
    }

    /** True once TLS was started. */
    public boolean isTls() {
        return tls != null;
    }

    /** The certificate the server presented over TLS (for channel binding), or null. Loop thread only. */
    public Certificate peerCertificate() {
        return tls == null ? null : tls.peerCertificate();
    }

    /**
     * The next byte read goes to {@code waiter} instead of the protocol core (the answer to SSLRequest);
     * -1 if the connection fails first.
     */
    public void awaitByte(IntConsumer waiter) {
        this.byteWaiter = waiter;
    }

    private void read() {
        InputBuffer in = core.input();
        int i = 0;
        for (; i < MAX_READS_PER_WAKEUP && !closed; i++) {
            int free = in.prepareWrite();
            ByteBuffer bb = view(in.array(), in.writeOffset(), free, true);
            int n;
            try {
                n = tls != null ? tls.read(bb) : channel.read(bb);
            } catch (IOException e) {
                lostAfterBuffered(e);
                return;
            }
            if (n < 0) {
                lostAfterBuffered(null);
                return;
            }
            if (n == 0) {
                break;
            }
            in.written(n);
            if (byteWaiter != null) {
                IntConsumer w = byteWaiter;
                byteWaiter = null;
                w.accept(in.takeByte());
                if (closed || in.available() == 0) {
                    return;
                }
            }
            try {
                core.process();
            } catch (TuskException e) {
                // the core has already failed its commands with e
                failure = e;
                close();
                return;
            }
            if (readTimeout != null) {
                readTimeout.received();
            }
            if (core.paused() && in.available() >= PAUSE_READING_AT) {
                // a consumer is behind: leave the rest in the socket (TCP back-pressure). Below this, reading
                // goes on, so that a connection lost during a pause (a COPY FROM waiting for data) is noticed
                readPaused = true;
            }
            // a command may have answered (authentication), a completion sent the next statement of a chain: written
            // now (writing it at the end of the turn instead measured no better, and the backend waits for it)
            flush();
            if (n < free || readPaused) {
                break;
            }
        }
        if (i == MAX_READS_PER_WAKEUP && !readPaused && tls != null && tls.hasBufferedInput()) {
            execute(this::read); // decrypted bytes wait in the TLS buffers with none left in the socket
        }
        in.shrinkIfIdle();
    }

    private ByteBuffer view(byte[] array, int off, int len, boolean forRead) {
        ByteBuffer bb = forRead ? readView : writeView;
        if (bb == null || bb.array() != array) {
            bb = ByteBuffer.wrap(array);
            if (forRead) {
                readView = bb;
            } else {
                writeView = bb;
            }
        }
        bb.limit(off + len).position(off);
        return bb;
    }

    private void interest(int ops) {
        if (key != null && key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /**
     * The socket failed or reached its end. When a paused core still holds messages that arrived before (a COPY
     * whose consumer is behind), they are delivered first: the loss takes effect once {@link #resume} has
     * processed them.
     */
    private void lostAfterBuffered(IOException e) {
        if (core.paused() && core.input().available() > 0) {
            deferredLoss = () -> lost(e);
            readPaused = true;
            interest(0);
            return;
        }
        lost(e);
    }

    /** The socket failed or reached its end: every queued command fails, the channel closes. */
    private void lost(IOException e) {
        fail(LostConnection.error(core, e));
    }

    /** Fails every queued command with {@code cause} and closes the channel. Loop thread only. */
    public void fail(TuskException cause) {
        if (failure == null) {
            failure = cause;
        }
        core.connectionLost(cause);
        close();
        IntConsumer waiter = byteWaiter;
        if (waiter != null) {
            byteWaiter = null;
            waiter.accept(-1); // no answer to SSLRequest will come
        }
    }

    /** Runs {@code listener} on the loop thread, acting for the connection, once it is closed, whatever the reason. */
    public void onClose(Runnable listener) {
        this.closeListener = listener;
    }

    /** Closes the channel (idempotent); queued commands are not touched. Loop thread only. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Runnable listener = closeListener;
        if (listener != null) {
            execute(listener);
        }
        if (handshake != null && !handshake.isDone()) {
            handshake.abort(failure != null ? failure : new ClosedChannelException());
        }
        if (tls != null) {
            tls.closeOutbound(); // close_notify, as far as the socket takes it now
        }
        if (key != null) {
            key.cancel();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (reader.get() == null) {
            callerRead.close(); // a reader closes it when it lets go
        } else {
            callerRead.wakeup();
        }
        runFlushWaiters();
    }
}
