package dev.tusk.internal.io;

import java.io.IOException;
import java.security.cert.Certificate;

/** A blocking byte stream to the server: a TCP socket, a Unix-domain socket, or TLS over either. */
public interface Transport extends AutoCloseable {
    /** Reads at least one byte; returns -1 at end of stream. */
    int read(byte[] b, int off, int len) throws IOException;

    void write(byte[] b, int off, int len) throws IOException;

    /** Bytes that can be read without blocking (best effort: 0 when the transport cannot tell). */
    default int available() throws IOException {
        return 0;
    }

    /** What {@link #readNow} returns when this transport cannot read without blocking. */
    int CANNOT_READ_NOW = -2;

    /**
     * Reads what the socket holds now, never waiting: the bytes read (0 when none), -1 at end of stream, or
     * {@link #CANNOT_READ_NOW} when the transport cannot tell without blocking (TLS). Unlike
     * {@link #available()}, it sees a socket the server closed or the network reset.
     */
    default int readNow(byte[] b, int off, int len) throws IOException {
        return CANNOT_READ_NOW;
    }

    /** 0 means wait forever. */
    void setReadTimeout(int millis) throws IOException;

    boolean isTls();

    /** The DER certificate the server presented, for channel binding; null without TLS. */
    default Certificate peerCertificate() {
        return null;
    }

    @Override
    void close();
}
