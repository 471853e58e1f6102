package dev.tusk.replication;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.types.Lsn;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The rules of a running {@code START_REPLICATION}, whichever driver carries it ({@link ReplicationStream} on
 * the blocking one, {@link AsyncReplicationStream} on the event loop): what the server's CopyData messages
 * mean (XLogData, primary keepalive), the positions (received, acknowledged, the server's end of WAL), when a
 * standby status update is due and what it says, when a silent server is asked for a reply and when it is
 * given up on. The driver only says how bytes leave ({@link Link#flush()}) and how the connection is closed
 * ({@link Link#close}); every method is called by the one thread acting for the connection, except
 * {@link #acknowledge} and the getters (any thread).
 */
final class StreamProtocol {
    /** What a stream's driver does for the rules. */
    interface Link {
        /** Writes out what the rules put in the core's output. */
        void flush();

        /** The connection is given up on with {@code cause}: the core has failed its commands; close the socket. */
        void close(OperationalException cause);

        /** The link of a driver that writes out with {@code flush} and gives up with {@code close}. */
        static Link of(Runnable flush, Consumer<OperationalException> close) {
            return new Link() {
                @Override
                public void flush() {
                    flush.run();
                }

                @Override
                public void close(OperationalException cause) {
                    close.accept(cause);
                }
            };
        }
    }

    /** The type byte of a CopyData message from the server carrying WAL (the streaming replication protocol's XLogData). */
    static final byte XLOG_DATA = 'w';
    /** The type byte of the server's primary keepalive message (its last byte: a reply is requested). */
    static final byte PRIMARY_KEEPALIVE = 'k';
    /** The type byte of the client's standby status update. */
    static final byte STANDBY_STATUS_UPDATE = 'r';

    /** What {@link #maintain} found due. */
    enum Due {
        NOTHING, STATUS_SENT, PING_SENT
    }

    private final CopyBothCommand cmd;
    private final ProtocolCore core;
    private final Link link;
    private final StreamOptions options;
    private final boolean physical;
    private final String what;

    /** The highest position received, as reported for "write". */
    private volatile long received;
    private final AtomicLong acknowledged = new AtomicLong();
    private volatile long serverWalEnd;
    private long lastHeard;
    private long nextStatus;
    private boolean pinged;
    private volatile long statusUpdatesSent;

    StreamProtocol(CopyBothCommand cmd, ProtocolCore core, Link link, StreamOptions options, boolean physical,
                   String what, Lsn start) {
        this.cmd = cmd;
        this.core = core;
        this.link = link;
        this.options = options;
        this.physical = physical;
        this.what = what;
        this.received = start.value();
        long now = System.nanoTime();
        this.lastHeard = now;
        this.nextStatus = now + options.statusInterval().toNanos();
    }

    CopyBothCommand command() {
        return cmd;
    }

    StreamOptions options() {
        return options;
    }

    String what() {
        return what;
    }

    /** Something arrived from the server at {@code now}: it is alive, no reply is awaited. */
    void heard(long now) {
        lastHeard = now;
        pinged = false;
    }

    /**
     * One CopyData payload of the stream: the XLogData it carries, or null for a keepalive (answered at once
     * when the server asks).
     *
     * @throws OperationalException a protocol violation: the connection is then closed
     */
    XLogData handle(byte[] m) {
        if (m.length == 0) {
            throw protocol("an empty CopyData message");
        }
        switch (m[0]) {
            case XLOG_DATA -> {
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
            case PRIMARY_KEEPALIVE -> {
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

    /**
     * Sends the status update that is due or the keepalive request a silent server gets after half the server
     * timeout.
     *
     * @throws OperationalException the server was silent for the whole server timeout: the connection is closed
     */
    Due maintain(long now) {
        Due due = Due.NOTHING;
        if (now - nextStatus >= 0) {
            sendStatus(false);
            due = Due.STATUS_SENT;
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
            due = Due.PING_SENT;
        }
        return due;
    }

    /** When {@link #maintain} next has something to do (a System.nanoTime() value). */
    long nextWake() {
        long limit = options.serverTimeout().toNanos();
        long check = lastHeard + (pinged ? limit : limit / 2);
        return nextStatus - check < 0 ? nextStatus : check;
    }

    /**
     * Closes the connection, the stream failing with an {@link OperationalException} that says why and what to
     * do; returns it to throw.
     */
    OperationalException giveUp(String why) {
        OperationalException ex = failure(why);
        core.connectionLost(ex);
        link.close(ex);
        return ex;
    }

    /** The error of a stream given up on for {@code why}, without closing anything (see {@link #giveUp}). */
    OperationalException failure(String why) {
        return new OperationalException(what + ": " + why
                + "; the connection is closed: reconnect and start again from the slot (what was not acknowledged is sent again)");
    }

    /** Why a stream is given up on when the server did not take a write of the client within the server timeout. */
    String notRead() {
        return "the server stopped reading: what the client sent (a status update or the start) was not taken within "
                + options.serverTimeout().toMillis() + " ms; the server or the network is not responding";
    }

    /** The error a stream fails with when the connection was lost under it ({@code cause}). */
    OperationalException lost(Throwable cause) {
        return new OperationalException(what + " was cut: " + cause.getMessage()
                + "; reconnect and start again from the slot (what was not acknowledged is sent again)", cause);
    }

    private OperationalException protocol(String problem) {
        return giveUp("protocol violation: " + problem);
    }

    /**
     * Writes and flushes a standby status update (unless the stream has not started yet or the client's side of
     * it has ended).
     */
    void sendStatus(boolean replyRequested) {
        if (!cmd.started() || cmd.clientDone() || cmd.isDone()) {
            return;
        }
        long flushed = acknowledged.get();
        long write = Long.compareUnsigned(received, flushed) >= 0 ? received : flushed;
        byte[] b = new byte[34];
        b[0] = STANDBY_STATUS_UPDATE;
        Bytes.putInt64(b, 1, write);
        Bytes.putInt64(b, 9, flushed);
        Bytes.putInt64(b, 17, flushed);
        Bytes.putInt64(b, 25, PgTime.nowMicros());
        b[33] = (byte) (replyRequested ? 1 : 0);
        Frontend.copyData(core.output(), b, 0, b.length);
        link.flush();
        statusUpdatesSent++;
        nextStatus = System.nanoTime() + options.statusInterval().toNanos();
    }

    /**
     * Ends the client's side: a last status update with the acknowledged position, then CopyDone; what the server
     * still sends is dropped until it confirms. False when there is nothing to end (the connection is broken or
     * the command over).
     */
    boolean finish() {
        if (core.isBroken() || cmd.isDone() || !cmd.started()) {
            return false;
        }
        sendStatus(false);
        cmd.discardOutput();
        cmd.finishInput(core.output());
        link.flush();
        return true;
    }

    /** Records an acknowledged position; positions only move forward. Any thread. */
    void acknowledge(Lsn lsn) {
        long v = lsn.value();
        acknowledged.accumulateAndGet(v, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    }

    Lsn acknowledged() {
        return Lsn.of(acknowledged.get());
    }

    Lsn lastReceived() {
        return Lsn.of(received);
    }

    Lsn serverWalEnd() {
        return Lsn.of(serverWalEnd);
    }

    long statusUpdatesSent() {
        return statusUpdatesSent;
    }

    /** A physical stream that ended at the end of its timeline: where it goes on; null otherwise. */
    ReplicationStream.NextTimeline nextTimeline() {
        ResultData r = cmd.result();
        if (r == null || r.rowCount() == 0 || r.width() < 2) {
            return null;
        }
        return new ReplicationStream.NextTimeline(Integer.parseInt(text(r, 0)), Lsn.parse(text(r, 1)));
    }

    private static String text(ResultData r, int col) {
        return new String(r.data(0), r.offset(0, col), r.length(0, col), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return what + ", received " + lastReceived() + ", acknowledged " + acknowledged();
    }
}
