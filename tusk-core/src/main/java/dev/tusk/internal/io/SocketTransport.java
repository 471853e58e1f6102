package dev.tusk.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/** A {@link java.net.Socket} (TCP) or an {@link SSLSocket} layered on one. */
public final class SocketTransport implements Transport {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public SocketTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    /**
     * Through the socket's channel when it has one (the plain TCP sockets {@code Connector} opens): switched
     * to non-blocking mode for one read. The caller serialises access, so no other read is in progress.
     */
    @Override
    public int readNow(byte[] b, int off, int len) throws IOException {
        SocketChannel channel = socket.getChannel();
        if (channel == null || socket instanceof SSLSocket) {
            return CANNOT_READ_NOW;
        }
        channel.configureBlocking(false);
        try {
            return channel.read(ByteBuffer.wrap(b, off, len));
        } finally {
            channel.configureBlocking(true);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        out.flush();
    }

    @Override
    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public boolean isTls() {
        return socket instanceof SSLSocket;
    }

    @Override
    public Certificate peerCertificate() {
        if (socket instanceof SSLSocket ssl) {
            try {
                Certificate[] chain = ssl.getSession().getPeerCertificates();
                return chain.length > 0 ? chain[0] : null;
            } catch (SSLPeerUnverifiedException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to save
        }
    }
}
