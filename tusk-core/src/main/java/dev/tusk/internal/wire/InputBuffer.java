package dev.tusk.internal.wire;

import dev.tusk.errors.OperationalException;

/**
 * The bytes received from the server and not yet consumed, framed into backend messages.
 *
 * <p>A transport fills it ({@link #prepareWrite}, {@link #array}, {@link #writeOffset}, {@link #written});
 * the protocol core takes whole frames out of it ({@link #nextFrame}). Storage grows only as bytes really
 * arrive (never to a length a hostile header announces) and never past {@link #maxMessageSize}.
 */
public final class InputBuffer {
    /** PostgreSQL cannot send a message larger than its 1 GiB allocation limit; allow some slack. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = (1 << 30) + (1 << 20);

    /**
     * A new connection's storage: enough for its startup replies and a point select's, so that an idle connection
     * holds little; a connection that receives more grows it ({@link #WORKING_SIZE}).
     */
    public static final int DEFAULT_INITIAL_SIZE = 1024;
    /**
     * Below this the storage doubles whenever it is full, instead of moving the unread bytes to its front: a
     * result larger than the initial storage is read in socket reads of up to this size. 64 KiB: when the reader
     * falls behind the server (a loaded machine), each read takes what has queued up in the socket, and a wide
     * result costs fewer system calls per row than with 16 KiB (5% less client CPU per row of the 100k-row fetch);
     * pgjdbc reads 8 KiB at a time.
     */
    public static final int WORKING_SIZE = 64 * 1024;
    /** Storage beyond this is given back once empty, so that one huge message does not pin memory forever. */
    private static final int RETAINED_SIZE = 1 << 20;

    private final int maxMessageSize;
    private final int initialSize;
    private byte[] buf;
    private int start;
    private int end;

    public InputBuffer() {
        this(DEFAULT_INITIAL_SIZE, DEFAULT_MAX_MESSAGE_SIZE);
    }

    public InputBuffer(int initialSize, int maxMessageSize) {
        this.initialSize = initialSize;
        this.buf = new byte[initialSize];
        this.maxMessageSize = maxMessageSize;
    }

    /** Makes room for at least one more byte at {@link #writeOffset()}; returns the free length. */
    public int prepareWrite() {
        if (end == buf.length) {
            if (start > 0 && buf.length >= WORKING_SIZE) {
                compact();
            } else {
                grow();
            }
        }
        return buf.length - end;
    }

    public byte[] array() {
        return buf;
    }

    public int writeOffset() {
        return end;
    }

    public void written(int n) {
        if (n > buf.length - end) {
            // the buffer was released (the connection closed) while a read was filling the old one
            throw new OperationalException("the connection is closed");
        }
        end += n;
    }

    /** Appends bytes: for tests and for transports that decrypt into a separate buffer. */
    public void append(byte[] b, int off, int len) {
        while (len > 0) {
            int free = prepareWrite();
            int n = Math.min(free, len);
            System.arraycopy(b, off, buf, end, n);
            end += n;
            off += n;
            len -= n;
        }
    }

    public int available() {
        return end - start;
    }

    /**
     * Frames the next complete message into {@code payload} and consumes it.
     *
     * @return the message type byte, or -1 when no complete message is buffered yet
     * @throws OperationalException when the header is impossible (negative or oversized length)
     */
    public int nextFrame(Payload payload) {
        int avail = end - start;
        if (avail < 5) {
            return -1;
        }
        int len = readInt(start + 1);
        if (len < 4 || len > maxMessageSize) {
            throw new OperationalException("protocol violation: backend message '" + printable(buf[start])
                    + "' announces length " + len + " (allowed 4.." + maxMessageSize
                    + "); the server is not speaking the PostgreSQL protocol or the stream is corrupt");
        }
        if (avail < 1 + len) {
            return -1;
        }
        int type = buf[start] & 0xff;
        payload.reset(buf, start + 5, start + 1 + len);
        start += 1 + len;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return type;
    }

    /**
     * Reads a single byte outside of framing (the answer to SSLRequest).
     *
     * @return the byte, or -1 if none is buffered
     */
    public int takeByte() {
        if (start == end) {
            return -1;
        }
        return buf[start++] & 0xff;
    }

    /** Releases a large buffer once it is empty, so one huge message does not pin memory forever. */
    public void shrinkIfIdle() {
        if (start == end && buf.length > RETAINED_SIZE) {
            buf = new byte[initialSize];
            start = 0;
            end = 0;
        }
    }

    /** Drops the storage (the connection is closed); the buffer stays usable and grows again if written to. */
    public void release() {
        buf = NO_BYTES;
        start = 0;
        end = 0;
    }

    /** The length of the storage now held, for tests and diagnostics. */
    public int capacity() {
        return buf.length;
    }

    private static final byte[] NO_BYTES = new byte[0];

    private void compact() {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
    }

    private void grow() {
        long want = Math.max(initialSize, (long) buf.length * 2);
        long cap = (long) maxMessageSize + 5;
        if (buf.length >= cap) {
            throw new OperationalException("protocol violation: backend message larger than " + maxMessageSize + " bytes");
        }
        byte[] b = new byte[(int) Math.min(want, cap)];
        System.arraycopy(buf, start, b, 0, end - start);
        end -= start;
        start = 0;
        buf = b;
    }

    private int readInt(int at) {
        return ((buf[at] & 0xff) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
    }

    static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
