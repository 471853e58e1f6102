package dev.tusk.internal.io;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.cert.Certificate;

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
