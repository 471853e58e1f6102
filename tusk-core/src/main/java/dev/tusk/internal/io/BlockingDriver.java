package dev.tusk.internal.io;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.wire.InputBuffer;
import dev.tusk.internal.wire.MessageWriter;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Drives a {@link ProtocolCore} over a blocking {@link Transport}: writes what the core has to say in one
 * write, then reads and feeds bytes until the awaited command completes. The caller serialises access.
 */
public final class BlockingDriver {
    private final ProtocolCore core;
    private Transport transport;
    /** Run before every write to the server (null: none): a connection's {@link #beforeWrite}. */
    private Runnable beforeWrite;
    /** ConnectOptions.socketTimeout in ms; 0: wait for the server forever. */
    private int socketTimeoutMillis;

    public BlockingDriver(ProtocolCore core, Transport transport) {
        this.core = core;
        this.transport = transport;
    }

    public ProtocolCore core() {
        return core;
    }

    public Transport transport() {
        return transport;
    }

    /**
     * {@code gate} runs on the writing thread before every write to the server (a blocking connection's wait for a
     * targeted cancel still on its way, which must reach the server before anything more is sent).
     */
    public void beforeWrite(Runnable gate) {
        this.beforeWrite = gate;
    }

    /** Swaps the transport (after TLS negotiation). */
    public void transport(Transport t) {
        this.transport = t;
    }

    /** {@code ConnectOptions.socketTimeout}: as {@link #socketTimeout(int)}, at least 1 ms; null leaves no bound. */
    public void socketTimeout(Duration timeout) {
        if (timeout != null) {
            socketTimeout((int) Math.max(1, timeout.toMillis()));
        }
    }

    /**
     * Bounds every wait for the server to {@code millis} (0: no bound); a wait that runs out breaks the
     * connection, since the protocol state is then unknown.
     */
    public void socketTimeout(int millis) {
        try {
            transport.setReadTimeout(millis);
        } catch (IOException e) {
            throw lost(e);
        }
        socketTimeoutMillis = millis;
    }

    /** System.nanoTime() by which every read must be done (connect_timeout while connecting); 0: none. */
    private long readDeadline;

    /**
     * Bounds every read to what is left until {@code nanoTime} (a System.nanoTime() value; 0 removes the bound
     * and goes back to the socket timeout): a total deadline, which a server trickling bytes cannot stretch.
     * Running out breaks the connection with a timeout error whose cause is a SocketTimeoutException.
     */
    public void readDeadline(long nanoTime) {
        readDeadline = nanoTime;
        if (nanoTime == 0) {
            try {
                transport.setReadTimeout(socketTimeoutMillis);
            } catch (IOException e) {
                throw lost(e);
            }
        }
    }

    /** Sends a command and waits for it to complete (or pause, for streams). */
    public void run(Command command) {
        core.send(command);
        flush();
        await(command);
    }

    /** Writes everything the core has buffered, in one write. */
    public void flush() {
        MessageWriter out = core.output();
        if (out.isEmpty()) {
            return;
        }
        Runnable gate = beforeWrite;
        if (gate != null) {
            gate.run();
        }
        try {
            transport.write(out.array(), 0, out.position());
        } catch (IOException e) {
            throw lost(e);
        } finally {
            out.clear();
        }
    }

    /** How long the connection must have been quiet before {@link #readPending} asks the socket (a system call). */
    private static final long QUIET_NANOS = 1_000_000;
    /**
     * Reads so far, and as many as {@link #readPending} had seen when it last looked: a count, so that a read costs
     * no clock reading (on some virtual machines each one is a system call).
     */
    private long reads;
    private long readsSeen;
    /** When {@link #readPending} last looked (System.nanoTime()). */
    private long lastLooked = System.nanoTime();
    private long lastAsked = lastLooked;

    /**
     * Reads what the server sent while the connection was idle (notifications, or the FATAL error it sends
     * before ending a session: idle_session_timeout, pg_terminate_backend, shutdown). Called before a new
     * command is written, because once a write hits a closed socket the kernel may discard those bytes,
     * and the user would learn that the connection was lost but not why.
     */
    public void readPending() {
        long now = System.nanoTime();
        long looked = lastLooked;
        lastLooked = now;
        boolean heard = reads != readsSeen;
        readsSeen = reads;
        // the server spoke since the last look, which was a moment ago (so the read was too), or the socket was
        // asked a moment ago: what came since is a race anyway
        if ((heard && now - looked < QUIET_NANOS) || now - lastAsked < QUIET_NANOS) {
            return;
        }
        lastAsked = now;
        int ready;
        try {
            ready = transport.available();
        } catch (IOException e) {
            throw lost(e); // reset while idle: say so now rather than at the write
        }
        if (ready > 0) {
            readOnce();
            if (core.fatalWhileIdle() != null) {
                throw lost(null);
            }
        }
    }

    /** Reads until {@code command} completes or asks for a pause. */
    public void await(Command command) {
        if (!command.isDone() && core.input().available() > 0) {
            processBuffered(); // a paused stream may have its next messages buffered already
        }
        while (!command.isDone() && !command.wantsPause()) {
            readOnce();
        }
    }

    /** Reads once from the socket and processes what arrived (blocking until something does). */
    public void readOnce() {
        InputBuffer in = core.input();
        int n;
        try {
            if (readDeadline != 0) {
                long left = (readDeadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("deadline reached");
                }
                transport.setReadTimeout((int) Math.min(Integer.MAX_VALUE, left));
            }
            int free = in.prepareWrite();
            n = transport.read(in.array(), in.writeOffset(), free);
        } catch (SocketTimeoutException e) {
            throw timeout(e);
        } catch (IOException e) {
            throw lost(e);
        } catch (TuskException e) {
            core.connectionLost(e);
            close();
            throw e;
        }
        if (n < 0) {
            throw lost(null);
        }
        received(n);
    }

    /**
     * Processes {@code n} bytes just read into the input buffer, lets it shrink back after a huge message (which
     * must not pin its buffer for the connection's life), and writes what a command may have answered
     * (authentication, CopyFail).
     */
    private void received(int n) {
        core.input().written(n);
        reads++;
        try {
            core.process();
        } catch (TuskException e) {
            close();
            throw e;
        }
        core.input().shrinkIfIdle();
        flush();
    }

    /**
     * Checks an idle connection by reading for {@code millis}: a socket reset or closed by the network, or a
     * FATAL message the server sent before closing, raises the lost-connection error; silence means alive.
     */
    public void probe(int millis) {
        if (poll(millis) && core.fatalWhileIdle() != null) {
            throw lost(null);
        }
    }

    /**
     * Checks an idle connection without waiting (a pool lending it): reads what the socket holds now. End of
     * stream (the server closed the connection, its backend was terminated or killed), a reset, or a FATAL
     * message the server sent before closing raise the lost-connection error; nothing to read means alive.
     *
     * @return false when the transport cannot read without blocking (TLS): nothing was checked
     */
    public boolean probeNow() {
        InputBuffer in = core.input();
        int n;
        try {
            int free = in.prepareWrite();
            n = transport.readNow(in.array(), in.writeOffset(), free);
        } catch (IOException e) {
            throw lost(e);
        }
        if (n == Transport.CANNOT_READ_NOW) {
            return false;
        }
        if (n < 0) {
            throw lost(null);
        }
        if (n > 0) {
            received(n);
            if (core.fatalWhileIdle() != null) {
                throw lost(null);
            }
        }
        return true;
    }

    /**
     * Waits up to {@code millis} (at least 1) for bytes from the server and processes them.
     *
     * @return false when nothing arrived in time (the connection stays usable)
     */
    public boolean poll(int millis) {
        InputBuffer in = core.input();
        int n;
        try {
            int wait = Math.max(1, millis);
            transport.setReadTimeout(socketTimeoutMillis > 0 ? Math.min(wait, socketTimeoutMillis) : wait);
            try {
                int free = in.prepareWrite();
                n = transport.read(in.array(), in.writeOffset(), free);
            } finally {
                transport.setReadTimeout(socketTimeoutMillis);
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw lost(e);
        }
        if (n < 0) {
            throw lost(null);
        }
        polledBytes += n;
        received(n);
        return true;
    }

    /** Bytes read by {@link #poll} so far: what {@link #drainUntil} measures. */
    private long polledBytes;

    /**
     * Reads for a command whose results are being dropped (it must not pause) until it completes, {@code budget}
     * bytes have been read, or {@code deadline} ({@link System#nanoTime()}) passes, whichever comes first.
     *
     * @return whether the command completed
     */
    public boolean drainUntil(Command command, long budget, long deadline) {
        long start = polledBytes;
        while (!command.isDone() && polledBytes - start < budget) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            poll((int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)));
        }
        return command.isDone();
    }

    /** Processes what is already buffered, without reading from the socket. */
    public void processBuffered() {
        try {
            core.process();
        } catch (TuskException e) {
            close();
            throw e;
        }
        flush();
    }

    private OperationalException timeout(SocketTimeoutException e) {
        OperationalException ex = new OperationalException(socketTimeoutMillis > 0
                ? ReadTimeout.message(socketTimeoutMillis)
                : "timed out waiting for the server: " + e.getMessage() + "; the connection is broken, open a new one", e);
        core.connectionLost(ex);
        close();
        return ex;
    }

    /**
     * The connection is gone: the error to raise (see {@link LostConnection}), after failing every queued
     * command with it and closing the socket.
     */
    private TuskException lost(IOException e) {
        OperationalException closing = closedBy;
        if (closing != null) {
            // close() from another thread shut the socket under this call: say so, not "connection lost"
            OperationalException ex = new OperationalException(closing.getMessage()
                    + " (by close() from another thread while this call waited for the server)", e);
            core.connectionLost(closing);
            close();
            return ex;
        }
        OperationalException ex = LostConnection.error(core, e);
        core.connectionLost(ex);
        close();
        return ex;
    }

    /**
     * Breaks the connection after its socket was closed under a waiting call (a statement timeout that gave
     * up): returns the lost-connection error every later call raises.
     */
    public OperationalException abandon() {
        return (OperationalException) lost(null);
    }

    /** Closes the socket and drops the input buffer (which may have grown to the largest message received). */
    public void close() {
        transport.close();
        core.input().release();
    }

    /** Set by {@link #closeUnderRunningCall}: why the socket was shut while another thread used it. */
    private volatile OperationalException closedBy;

    /**
     * Closes the socket from a thread that does not hold the connection's lock, without touching the core
     * (another thread may be inside it): a call blocked on the server fails at once with an error built from
     * {@code reason}, and the core ends up broken by {@code reason} itself. Never waits for the server.
     */
    public void closeUnderRunningCall(OperationalException reason) {
        closedBy = reason;
        transport.close();
    }

    /**
     * As {@link #await}, for a command whose results are being dropped (it must not pause), but gives up at
     * {@code deadline} ({@link System#nanoTime()}): the connection is then broken with {@code gaveUp}'s error,
     * which is thrown.
     */
    public void awaitUntil(Command command, long deadline, Supplier<OperationalException> gaveUp) {
        if (!command.isDone() && core.input().available() > 0) {
            processBuffered();
        }
        while (!command.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                OperationalException ex = gaveUp.get();
                core.connectionLost(ex);
                close();
                throw ex;
            }
            poll((int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)));
        }
    }
}
