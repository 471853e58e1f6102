package dev.tusk.internal.io;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A Unix-domain socket (JDK 16+). Reads honour the timeout through a private selector, since a blocking
 * channel has no SO_TIMEOUT.
 */
public final class UnixSocketTransport implements Transport {
    private final SocketChannel channel;
    private final Selector selector;
    private int timeoutMillis;

    public UnixSocketTransport(Path socketFile) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socketFile));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        while (true) {
            int n = channel.read(bb);
            if (n != 0) {
                return n;
            }
            int ready = await(timeoutMillis);
            if (ready == 0 && timeoutMillis > 0) {
                throw new SocketTimeoutException("read timed out after " + timeoutMillis + " ms");
            }
        }
    }

    /**
     * Waits on the selector up to {@code millis} (0: no bound) for the channel's interest, as a blocking TCP socket
     * would: closed under the caller (a statement timer's abandon, close() from another thread) it fails as a
     * closed TCP socket does, with an IOException, not the selector's unchecked ClosedSelectorException; and an
     * interrupt closes the channel, as it closes the TCP socket's, rather than waking the select at once forever
     * after (a busy spin, or a false read timeout).
     */
    private int await(int millis) throws IOException {
        int ready;
        try {
            ready = selector.select(millis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new AsynchronousCloseException();
        }
        if (Thread.currentThread().isInterrupted()) {
            close();
            throw new ClosedByInterruptException();
        }
        return ready;
    }

    @Override
    public int readNow(byte[] b, int off, int len) throws IOException {
        return channel.read(ByteBuffer.wrap(b, off, len)); // the channel is non-blocking already
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        while (bb.hasRemaining()) {
            if (channel.write(bb) == 0) {
                waitWritable(); // the server is not reading: wait for room, as a blocking socket does, not spin
            }
        }
    }

    /** Waits until the channel can take more bytes; the read interest is restored after. */
    private void waitWritable() throws IOException {
        SelectionKey key = channel.keyFor(selector);
        if (key == null || !key.isValid()) {
            throw new AsynchronousCloseException();
        }
        try {
            key.interestOps(SelectionKey.OP_WRITE);
            await(0);
        } catch (CancelledKeyException | ClosedSelectorException e) { // closed under the caller
            throw new AsynchronousCloseException();
        } finally {
            try {
                key.interestOps(SelectionKey.OP_READ);
            } catch (CancelledKeyException | ClosedSelectorException ignored) {
                // closed meanwhile: the next read fails on the closed channel
            }
        }
    }

    @Override
    public void setReadTimeout(int millis) {
        this.timeoutMillis = millis;
    }

    @Override
    public boolean isTls() {
        return false;
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
