package dev.tusk;

import dev.tusk.internal.io.Transport;

import java.io.IOException;

/** Counts the writes and the Sync messages a connection sends: a test's view of round trips. */
final class RoundTripCounter extends ForwardingTransport {
    private int writes;
    private int syncs;
    private int describes;

    private RoundTripCounter(Transport inner) {
        super(inner);
    }

    static RoundTripCounter attach(Connection<?> conn) {
        RoundTripCounter c = new RoundTripCounter(conn.driver().transport());
        conn.driver().transport(c);
        return c;
    }

    int writes() {
        return writes;
    }

    int syncs() {
        return syncs;
    }

    /** Describe messages sent (for a portal or a statement). */
    int describes() {
        return describes;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        writes++;
        for (int i = off; i + 5 <= off + len; ) {
            int l = ((b[i + 1] & 0xff) << 24) | ((b[i + 2] & 0xff) << 16) | ((b[i + 3] & 0xff) << 8) | (b[i + 4] & 0xff);
            if (b[i] == 'S' && l == 4) {
                syncs++;
            }
            if (b[i] == 'D') {
                describes++;
            }
            i += 1 + l;
        }
        inner.write(b, off, len);
    }
}
