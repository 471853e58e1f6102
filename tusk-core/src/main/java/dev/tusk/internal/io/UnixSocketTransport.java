package dev.tusk.internal.io;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
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
            int ready = selector.select(timeoutMillis);
            selector.selectedKeys().clear();
            if (ready == 0 && timeoutMillis > 0) {
                throw new SocketTimeoutException("read timed out after " + timeoutMillis + " ms");
            }
        }
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
                Thread.onSpinWait();
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
