package dev.tusk;

import dev.tusk.internal.io.Transport;

import java.io.IOException;

/**
 * A test's transport put between a connection and its own ({@code conn.driver().transport(...)}): forwards reads,
 * writes, the read timeout and the close to it; a subclass watches or changes what it needs (the writes, mostly).
 * {@link #available()} and {@link #readNow} keep the interface's defaults (0, cannot tell), as a TLS transport's.
 */
abstract class ForwardingTransport implements Transport {
    protected final Transport inner;

    protected ForwardingTransport(Transport inner) {
        this.inner = inner;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return inner.read(b, off, len);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        inner.write(b, off, len);
    }

    @Override
    public void setReadTimeout(int millis) throws IOException {
        inner.setReadTimeout(millis);
    }

    @Override
    public boolean isTls() {
        return inner.isTls();
    }

    @Override
    public void close() {
        inner.close();
    }
}
