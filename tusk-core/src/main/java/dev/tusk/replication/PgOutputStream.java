package dev.tusk.replication;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.types.Lsn;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A {@code pgoutput} stream decoded: the messages of {@link PgOutputMessage}, their rows' values loaded by the
 * connection's adapters. Positions, status updates and deadlines are the underlying {@link ReplicationStream}'s.
 *
 * <pre>{@code
 * for (PgOutputMessage m : changes) {
 *     if (m instanceof PgOutputMessage.Insert i) {
 *         index(i.relation().name(), i.newTuple().asMap());
 *     } else if (m instanceof PgOutputMessage.Commit c) {
 *         changes.acknowledge(c.endLsn());                   // processed: not sent again
 *     }
 * }
 * }</pre>
 */
public final class PgOutputStream implements AutoCloseable, Iterable<PgOutputMessage> {
    private final ReplicationStream raw;
    private final PgOutputDecoder decoder;
    private final PgOutputOptions options;

    PgOutputStream(ReplicationStream raw, AdaptersMap adapters, PgOutputOptions options) {
        this.raw = raw;
        this.decoder = new PgOutputDecoder(adapters);
        this.options = options;
    }

    /** The next message, waiting as long as {@link ReplicationStream#read()} does; null once the stream ended. */
    public PgOutputMessage read() {
        XLogData x = raw.read();
        return x == null ? null : decoder.decode(x);
    }

    /** The next message, or null when none arrived within {@code timeout} or the stream ended. */
    public PgOutputMessage read(Duration timeout) {
        XLogData x = raw.read(timeout);
        return x == null ? null : decoder.decode(x);
    }

    /** See {@link ReplicationStream#acknowledge(Lsn)}: for pgoutput, a commit's {@code endLsn}. */
    public void acknowledge(Lsn lsn) {
        raw.acknowledge(lsn);
    }

    /** The latest description received of table {@code oid}, or null. */
    public PgOutputMessage.Relation relation(int oid) {
        return decoder.relation(oid);
    }

    /** The undecoded stream underneath. */
    public ReplicationStream raw() {
        return raw;
    }

    public PgOutputOptions options() {
        return options;
    }

    @Override
    public Iterator<PgOutputMessage> iterator() {
        return new Iterator<>() {
            private PgOutputMessage next;

            @Override
            public boolean hasNext() {
                if (next == null && !raw.isEnded()) {
                    next = read();
                }
                return next != null;
            }

            @Override
            public PgOutputMessage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                PgOutputMessage m = next;
                next = null;
                return m;
            }
        };
    }

    /** Closes the stream as {@link ReplicationStream#close()}. */
    @Override
    public void close() {
        raw.close();
    }
}
