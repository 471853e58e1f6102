package dev.tusk.replication;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.WriteDeadline;
import dev.tusk.types.Lsn;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
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
 * connection is closed and the read fails with an {@link OperationalException}; so does a write (the start, a
 * status update, {@link #sendStatusNow()}) that a server which stopped reading does not take within it. {@link #close()} waits at most
 * {@link StreamOptions#closeTimeout()}.
 *
 * <p>Reads must come from one thread at a time; {@link #acknowledge} may be called from any thread.
 */
public final class ReplicationStream extends StreamPositions implements AutoCloseable, Iterable<XLogData> {
    private final ReplicationConnection owner;
    private final ReentrantLock lock;
    private final BlockingDriver driver;
    private final CopyBothCommand cmd;
    private final StreamOptions options;
    private final String what;
    /** The positions, status updates and deadlines: the rules shared with the async stream. */
    private final StreamProtocol rules;
    private volatile boolean closed;
    private boolean ended;

    ReplicationStream(ReplicationConnection owner, ReentrantLock lock, BlockingDriver driver, CopyBothCommand cmd,
                      StreamOptions options, boolean physical, String what, Lsn start) {
        this.owner = owner;
        this.lock = lock;
        this.driver = driver;
        this.cmd = cmd;
        this.options = options;
        this.what = what;
        this.rules = new StreamProtocol(cmd, driver.core(), StreamProtocol.Link.of(this::flush, cause -> {
            driver.close();
            ended();
        }), options, physical, what, start);
    }

    private void ended() {
        ended = true;
        owner.streamEnded(this);
    }

    /**
     * Writes what the core holds within the server timeout: a server that stops reading (frozen, or its network)
     * fills the socket buffers and would block the write, under the connection's lock, for ever. Past the timeout
     * the socket is closed under the write and the stream fails as for a silent server. Lock held.
     */
    private void flush() {
        if (driver.core().output().isEmpty()) {
            return;
        }
        WriteDeadline d = WriteDeadline.arm(options.serverTimeout(),
                () -> driver.closeUnderRunningCall(rules.failure(rules.notRead())));
        try {
            driver.flush();
        } catch (OperationalException e) {
            if (d.disarm()) {
                ended();
                throw rules.failure(rules.notRead()); // the connection is broken by the same error
            }
            throw e;
        }
        if (d.disarm()) { // the write ended just as the time ran out: the socket is closed all the same
            throw rules.giveUp(rules.notRead());
        }
    }

    @Override
    StreamProtocol rules() {
        return rules;
    }

    /**
     * Sends the START_REPLICATION command and waits (at most the server timeout) for the server to start
     * streaming. Lock held.
     */
    void begin() {
        driver.core().send(cmd);
        flush();
        long deadline = System.nanoTime() + options.serverTimeout().toNanos();
        while (!cmd.started() && !cmd.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw rules.giveUp("the server did not start the stream within " + options.serverTimeout().toMillis() + " ms");
            }
            driver.poll((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        }
        if (cmd.isDone()) {
            ended = true;
            cmd.throwIfFailed();
            throw new OperationalException("the server ended " + what + " before it started");
        }
        rules.heard(System.nanoTime());
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
                    XLogData x = rules.handle(m);
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
                rules.maintain(now);
                long wake = rules.nextWake();
                if (timeout != null) {
                    if (deadline - now <= 0) {
                        return null;
                    }
                    if (deadline - wake < 0) {
                        wake = deadline;
                    }
                }
                if (receive(wake - now)) {
                    rules.heard(System.nanoTime());
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

    /**
     * Sends a status update now (with the positions acknowledged so far) instead of at the next interval.
     *
     * @throws OperationalException when a server that stopped reading does not take it within the server timeout
     *                              (the connection is then closed), or the connection is lost
     */
    public void sendStatusNow() {
        lock.lock();
        try {
            requireOpen();
            if (!ended) {
                rules.sendStatus(false);
            }
        } finally {
            lock.unlock();
        }
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
        return rules.nextTimeline();
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
            if (!rules.finish()) {
                return;
            }
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
