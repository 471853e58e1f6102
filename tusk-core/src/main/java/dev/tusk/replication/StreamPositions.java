package dev.tusk.replication;

import dev.tusk.types.Lsn;

/**
 * The positions of a running stream as the application sees them, written once for {@link ReplicationStream} and
 * {@link AsyncReplicationStream}: both read them from their {@link StreamProtocol}, which owns them.
 */
abstract class StreamPositions {
    /** The stream's rules: positions, status updates and deadlines. */
    abstract StreamProtocol rules();

    /**
     * Records that the application has processed everything up to {@code lsn} (for pgoutput, a commit's
     * {@code endLsn}): the next status update reports it as flushed and applied. Positions only move forward: an
     * older one is ignored. Any thread.
     */
    public void acknowledge(Lsn lsn) {
        rules().acknowledge(lsn);
    }

    /** The position acknowledged so far ({@link Lsn#INVALID} before the first). */
    public Lsn acknowledged() {
        return rules().acknowledged();
    }

    /** The highest position received and handed to the application (the start position before the first message). */
    public Lsn lastReceived() {
        return rules().lastReceived();
    }

    /** The server's end of WAL as of its last message handled. */
    public Lsn serverWalEnd() {
        return rules().serverWalEnd();
    }

    /** How many standby status updates the stream has sent. */
    public long statusUpdatesSent() {
        return rules().statusUpdatesSent();
    }
}
