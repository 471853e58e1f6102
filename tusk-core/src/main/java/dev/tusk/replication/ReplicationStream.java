package dev.tusk.replication;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.types.Lsn;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running {@code START_REPLICATION}: the server's XLogData messages, read one at a time, while the stream
 * keeps the server informed by itself.
 *
 * <p><b>Positions.</b> The application {@linkplain #acknowledge acknowledges} the position up to which it has
 * processed the data (for pgoutput, a commit's {@code endLsn}); the stream reports exactly that as flushed
 * (and applied) to the server, which then may recycle the WAL before it and, for a logical slot, restarts
 * after it. What was not acknowledged is sent again by the next stream from the slot: at least once.
 *
 * <p><b>Status updates</b> go out without the application's help: when the server asks for one (a keepalive
 * with "reply requested"), every {@link StreamOptions#statusInterval()} while the application reads, and
 * when the stream is closed. They are sent from inside {@link #read}, so an application that stops reading
 * for longer than the server's {@code wal_sender_timeout} (60 s by default) is disconnected by the server.
 *
 * <p><b>Deadlines.</b> {@link #read(Duration)} returns null when nothing arrived in time; a server that is silent
 * for {@link StreamOptions#serverTimeout()} (not even answering a keepalive request) is taken for frozen: the
 * connection is closed and the read fails with an {@link OperationalException}. {@link #close()} waits at most
 * {@link StreamOptions#closeTimeout()}.
 *
 * <p>Reads must come from one thread at a time; {@link #acknowledge} may be called from any thread.
 */
public final class ReplicationStream implements AutoCloseable, Iterable<XLogData> {
    private final ReplicationConnection owner;
    private final ReentrantLock lock;
    private final BlockingDriver driver;
    private final CopyBothCommand cmd;
    private final StreamOptions options;
    private final boolean physical;
    private final String what;

    /** The highest position received, as reported for "write". Written under the lock. */
    private volatile long received;
    private final AtomicLong acknowledged = new AtomicLong();
    private volatile long serverWalEnd;
    private long lastHeard;
    private long nextStatus;
    private boolean pinged;
    private volatile boolean closed;
    private boolean ended;
    private long statusUpdatesSent;

    ReplicationStream(ReplicationConnection owner, ReentrantLock lock, BlockingDriver driver, CopyBothCommand cmd,
                      StreamOptions options, boolean physical, String what, Lsn start) {
        this.owner = owner;
        this.lock = lock;
        this.driver = driver;
        this.cmd = cmd;
        this.options = options;
        this.physical = physical;
        this.what = what;
        this.received = start.value();
        long now = System.nanoTime();
        this.lastHeard = now;
        this.nextStatus = now + options.statusInterval().toNanos();
    }

    /**
     * Sends the START_REPLICATION command and waits (at most the server timeout) for the server to start
     * streaming. Lock held.
     */
    void begin() {
        driver.core().send(cmd);
        driver.flush();
        long deadline = System.nanoTime() + options.serverTimeout().toNanos();
        while (!cmd.started() && !cmd.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw giveUp("the server did not start the stream within " + options.serverTimeout().toMillis() + " ms");
            }
            driver.poll((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        }
        if (cmd.isDone()) {
            ended = true;
            cmd.throwIfFailed();
            throw new OperationalException("the server ended " + what + " before it started");
        }
        lastHeard = System.nanoTime();
    }

    /** Waits for the next XLogData message, however long the server has nothing to send (see the class comment). */
    public XLogData read() {
        return read(null);
    }

    /**
     * The next XLogData message, or null when none arrived within {@code timeout} (the stream stays usable)
     * or the server ended the stream ({@link #isEnded()}).
     *
     * @throws OperationalException when the connection is lost or the server is silent for the server timeout
     *                              (the connection is then closed)
     * @throws TuskException        the server's error when it ends the stream with one
     */
    public XLogData read(Duration timeout) {
        long deadline = timeout == null ? 0 : System.nanoTime() + Math.max(0, timeout.toNanos());
        lock.lock();
        try {
            requireOpen();
            while (true) {
                byte[] m = cmd.nextMessage();
                if (m != null) {
                    XLogData x = handle(m);
                    if (x != null) {
                        return x;
                    }
                    continue;
                }
                if (ended) {
                    return null;
                }
                if (cmd.isDone()) {
                    ended = true;
                    owner.streamEnded(this);
                    cmd.throwIfFailed();
                    return null;
                }
                long now = System.nanoTime();
                maintain(now);
                long wake = nextWake();
                if (timeout != null) {
                    if (deadline - now <= 0) {
                        return null;
                    }
                    if (deadline - wake < 0) {
                        wake = deadline;
                    }
                }
                if (receive(wake - now)) {
                    lastHeard = System.nanoTime();
                    pinged = false;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Processes what is buffered already (the input was paused), else reads once for up to {@code nanos}. */
    private boolean receive(long nanos) {
        if (driver.core().input().available() > 0) {
            driver.processBuffered();
            if (cmd.hasMessage() || cmd.isDone()) {
                return true;
            }
        }
        return driver.poll((int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000)));
    }

    /** Sends the status update that is due, the keepalive request, or gives up on a silent server. */
    private void maintain(long now) {
        if (now - nextStatus >= 0) {
            sendStatus(false);
        }
        long silent = now - lastHeard;
        long limit = options.serverTimeout().toNanos();
        if (silent >= limit) {
            throw giveUp("no message from the server for " + options.serverTimeout().toMillis()
                    + " ms, not even an answer to a keepalive request: the server or the network is not responding");
        }
        if (!pinged && silent >= limit / 2) {
            sendStatus(true);
            pinged = true;
        }
    }

    private long nextWake() {
        long limit = options.serverTimeout().toNanos();
        long check = lastHeard + (pinged ? limit : limit / 2);
        return nextStatus - check < 0 ? nextStatus : check;
    }

    private OperationalException giveUp(String why) {
        OperationalException ex = new OperationalException(what + ": " + why
                + "; the connection is closed: reconnect and start again from the slot (what was not acknowledged is sent again)");
        driver.core().connectionLost(ex);
        driver.close();
        ended = true;
        owner.streamEnded(this);
        return ex;
    }

    private XLogData handle(byte[] m) {
        if (m.length == 0) {
            throw protocol("an empty CopyData message");
        }
        switch (m[0]) {
            case 'w' -> {
                if (m.length < 25) {
                    throw protocol("a truncated XLogData message");
                }
                long start = Bytes.int64(m, 1);
                long end = Bytes.int64(m, 9);
                long time = Bytes.int64(m, 17);
                long pos = physical ? start + (m.length - 25) : start;
                if (Long.compareUnsigned(pos, received) > 0) {
                    received = pos;
                }
                serverWalEnd = end;
                return new XLogData(Lsn.of(start), Lsn.of(end), time, m, 25);
            }
            case 'k' -> {
                if (m.length < 18) {
                    throw protocol("a truncated keepalive message");
                }
                serverWalEnd = Bytes.int64(m, 1);
                if (m[17] != 0) {
                    sendStatus(false);
                }
                return null;
            }
            default -> throw protocol("a CopyData message of unknown kind '" + (char) (m[0] & 0xff) + "'");
        }
    }

    private OperationalException protocol(String what) {
        return giveUp("protocol violation: " + what);
    }

    /** Writes and flushes a standby status update. Lock held. */
    private void sendStatus(boolean replyRequested) {
        if (cmd.clientDone() || cmd.isDone()) {
            return;
        }
        long flushed = acknowledged.get();
        long write = Long.compareUnsigned(received, flushed) >= 0 ? received : flushed;
        byte[] b = new byte[34];
        b[0] = 'r';
        Bytes.putInt64(b, 1, write);
        Bytes.putInt64(b, 9, flushed);
        Bytes.putInt64(b, 17, flushed);
        Bytes.putInt64(b, 25, PgTime.nowMicros());
        b[33] = (byte) (replyRequested ? 1 : 0);
        Frontend.copyData(driver.core().output(), b, 0, b.length);
        driver.flush();
        statusUpdatesSent++;
        nextStatus = System.nanoTime() + options.statusInterval().toNanos();
    }

    /**
     * Records that the application has processed everything up to {@code lsn}: the next status update reports it
     * as flushed and applied. Positions only move forward: an older one is ignored. Any thread.
     */
    public void acknowledge(Lsn lsn) {
        long v = lsn.value();
        acknowledged.accumulateAndGet(v, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    }

    /** Sends a status update now (with the positions acknowledged so far) instead of at the next interval. */
    public void sendStatusNow() {
        lock.lock();
        try {
            requireOpen();
            if (!ended) {
                sendStatus(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The position acknowledged so far ({@link Lsn#INVALID} before the first). */
    public Lsn acknowledged() {
        return Lsn.of(acknowledged.get());
    }

    /** The highest position received (the start position before the first message). */
    public Lsn lastReceived() {
        return Lsn.of(received);
    }

    /** The server's end of WAL as of its last message. */
    public Lsn serverWalEnd() {
        return Lsn.of(serverWalEnd);
    }

    /** How many standby status updates the stream has sent. */
    public long statusUpdatesSent() {
        return statusUpdatesSent;
    }

    /** Whether the server ended the stream (or it failed): {@link #read} returns null from now on. */
    public boolean isEnded() {
        return ended;
    }

    /**
     * A physical stream that ended at the end of its timeline: the next timeline and the position where it
     * starts; null otherwise.
     */
    public NextTimeline nextTimeline() {
        ResultData r = cmd.result();
        if (r == null || r.rowCount() == 0 || r.width() < 2) {
            return null;
        }
        return new NextTimeline(Integer.parseInt(text(r, 0)), Lsn.parse(text(r, 1)));
    }

    private static String text(ResultData r, int col) {
        return new String(r.data(), r.offset(0, col), r.length(0, col), StandardCharsets.UTF_8);
    }

    /** Where a physical stream goes on after the end of its timeline. */
    public record NextTimeline(int timeline, Lsn start) {
    }

    /** The messages, as {@link #read()} returns them, until the server ends the stream. */
    @Override
    public Iterator<XLogData> iterator() {
        return new Iterator<>() {
            private XLogData next;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    next = read();
                }
                return next != null;
            }

            @Override
            public XLogData next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                XLogData x = next;
                next = null;
                return x;
            }
        };
    }

    private void requireOpen() {
        if (closed) {
            throw new ProgrammingException(what + " is closed");
        }
    }

    /**
     * Ends the stream: a last status update with the acknowledged position, CopyDone, and the rest of what the
     * server sends is dropped until it confirms; the connection can then run replication commands again. If the
     * server does not confirm within the close timeout, the connection is closed instead. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (driver.core().isBroken() || cmd.isDone()) {
                return;
            }
            sendStatus(false);
            cmd.discardOutput();
            cmd.finishInput(driver.core().output());
            driver.flush();
            long deadline = System.nanoTime() + options.closeTimeout().toNanos();
            driver.awaitUntil(cmd, deadline, () -> new OperationalException("the server did not end " + what + " within "
                    + options.closeTimeout().toMillis() + " ms of the client's CopyDone; the connection is closed"));
        } finally {
            ended = true;
            owner.streamEnded(this);
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return what + (ended ? " (ended)" : "") + ", received " + lastReceived() + ", acknowledged " + acknowledged();
    }
}
