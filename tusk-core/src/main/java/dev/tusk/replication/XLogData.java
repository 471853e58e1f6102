package dev.tusk.replication;

import dev.tusk.types.Lsn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * One XLogData message of a replication stream: WAL bytes (physical) or one message of the output plugin
 * (logical).
 */
public final class XLogData {
    private final Lsn dataStart;
    private final Lsn walEnd;
    private final long sendTimeMicros;
    private final byte[] message;
    private final int offset;

    XLogData(Lsn dataStart, Lsn walEnd, long sendTimeMicros, byte[] message, int offset) {
        this.dataStart = dataStart;
        this.walEnd = walEnd;
        this.sendTimeMicros = sendTimeMicros;
        this.message = message;
        this.offset = offset;
    }

    /**
     * The WAL position of the data: for a physical stream where these bytes start; for a logical one the
     * position of the decoded change (for a commit, the end of its record: what to acknowledge).
     */
    public Lsn dataStart() {
        return dataStart;
    }

    /** The server's end of WAL when it sent the message. */
    public Lsn walEnd() {
        return walEnd;
    }

    /** The server's clock when it sent the message, in microseconds since 2000-01-01 UTC. */
    public long sendTimeMicros() {
        return sendTimeMicros;
    }

    /** The server's clock when it sent the message. */
    public Instant sendTime() {
        return PgTime.instant(sendTimeMicros);
    }

    /** How many bytes of data the message carries. */
    public int length() {
        return message.length - offset;
    }

    /** A copy of the data. */
    public byte[] data() {
        return Arrays.copyOfRange(message, offset, message.length);
    }

    /** The data, read-only, without a copy. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(message, offset, message.length - offset).slice().asReadOnlyBuffer();
    }

    /** The data as UTF-8 text (a text output plugin's message, such as {@code test_decoding}'s). */
    public String text() {
        return new String(message, offset, message.length - offset, StandardCharsets.UTF_8);
    }

    /** The array holding the data from {@link #offset()} to its end (not to be modified). */
    byte[] array() {
        return message;
    }

    int offset() {
        return offset;
    }

    @Override
    public String toString() {
        return "XLogData[" + dataStart + ", " + length() + " bytes, walEnd " + walEnd + "]";
    }
}
