package dev.tusk.internal.io;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * TLS over a non-blocking {@link SocketChannel} with an {@link SSLEngine}, for the {@link EventLoopDriver}:
 * the handshake advanced step by step as the socket allows ({@link #handshake()}), then application bytes
 * encrypted on {@link #write} and decrypted on {@link #read}. Nothing here blocks: a call does what the
 * socket takes or gives now and says what it waits for. The engine's delegated tasks (certificate checks,
 * key exchange) run on a small pool of their own ({@link #runTasks}), never on the event loop.
 *
 * <p>Buffers start at the engine's session sizes and grow when the engine asks (BUFFER_OVERFLOW for
 * a larger plaintext or record buffer, BUFFER_UNDERFLOW with a full record buffer). Loop thread only,
 * except {@link #runTasks}.
 */
final class TlsChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final ExecutorService TASKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tusk-tls-task");
        t.setDaemon(true);
        return t;
    });

    /** What the handshake waits for. */
    enum Step {
        /** Finished: application data may flow. */
        DONE,
        /** Bytes from the server (OP_READ). */
        READ,
        /** Room in the socket for bytes already encrypted (OP_WRITE). */
        WRITE,
        /** The engine's delegated tasks: {@link #runTasks} them, then call {@link #handshake()} again. */
        TASKS
    }

    private final SocketChannel channel;
    private final SSLEngine engine;
    /** Records from the socket not yet decrypted; write mode (bytes at [0, position)). */
    private ByteBuffer netIn;
    /** Encrypted records not yet written to the socket; write mode. */
    private ByteBuffer netOut;
    /** Decrypted bytes not yet handed out; read mode (bytes at [position, limit)). */
    private ByteBuffer appIn;
    private boolean endOfInput;
    private boolean started;

    TlsChannel(SocketChannel channel, SSLEngine engine) {
        // room for two records each way: fewer system calls for large results and parameters
        this(channel, engine, 2 * engine.getSession().getPacketBufferSize(), engine.getSession().getApplicationBufferSize());
    }

    /** With buffers of the given initial sizes (tests start them tiny, so that every one must grow). */
    TlsChannel(SocketChannel channel, SSLEngine engine, int netBufferSize, int appBufferSize) {
        this.channel = channel;
        this.engine = engine;
        netIn = ByteBuffer.allocate(netBufferSize);
        netOut = ByteBuffer.allocate(netBufferSize);
        appIn = ByteBuffer.allocate(appBufferSize).flip();
    }

    SSLEngine engine() {
        return engine;
    }

    /**
     * Advances the handshake as far as the socket allows now.
     *
     * @throws SSLHandshakeException when a check fails or the server breaks off; IOException when the socket does
     */
    Step handshake() throws IOException {
        if (!started) {
            started = true;
            engine.beginHandshake();
        }
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    if (!flush()) {
                        return Step.WRITE;
                    }
                    SSLEngineResult r = wrap(EMPTY);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        flush();
                        throw new SSLHandshakeException("the TLS session was closed during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!flush()) {
                        return Step.WRITE; // what was wrapped goes out before the answer is awaited
                    }
                    SSLEngineResult r = unwrap();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        int n = fill();
                        if (n < 0) {
                            throw new SSLHandshakeException("the server closed the connection during the TLS handshake");
                        }
                        if (n == 0) {
                            return Step.READ;
                        }
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the server ended the TLS session during the handshake");
                    }
                }
                case NEED_TASK -> {
                    return flush() ? Step.TASKS : Step.WRITE;
                }
                default -> { // FINISHED, NOT_HANDSHAKING
                    return flush() ? Step.DONE : Step.WRITE;
                }
            }
        }
    }

    /**
     * Runs the engine's delegated tasks off the event loop, then {@code then} (on the task thread: it
     * should hand over to the loop). A task's failure is reported by the engine's next wrap or unwrap.
     */
    void runTasks(Runnable then) {
        runTasks(TASKS, then);
    }

    void runTasks(Executor executor, Runnable then) {
        executor.execute(() -> {
            try {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            } finally {
                then.run();
            }
        });
    }

    /**
     * Decrypts into {@code dst} as much as is available without waiting: returns the bytes given, 0 when
     * nothing can be decrypted until more arrives, -1 at the end of the stream (close_notify or EOF).
     * Fewer bytes than {@code dst} has room for means nothing decryptable is left buffered.
     */
    int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (appIn.hasRemaining()) {
                int n = Math.min(appIn.remaining(), dst.remaining());
                int limit = appIn.limit();
                appIn.limit(appIn.position() + n);
                dst.put(appIn);
                appIn.limit(limit);
                continue;
            }
            if (endOfInput) {
                break;
            }
            SSLEngineResult r = unwrap();
            postHandshake(r);
            switch (r.getStatus()) {
                case CLOSED -> endOfInput = true;
                case BUFFER_UNDERFLOW -> {
                    int n = fill();
                    if (n < 0) {
                        endOfInput = true;
                    } else if (n == 0) {
                        return dst.position() - start;
                    }
                }
                default -> {
                    // OK: decrypted bytes (or a handshake message) went to appIn; BUFFER_OVERFLOW grew it
                }
            }
        }
        int n = dst.position() - start;
        return n == 0 && endOfInput && !appIn.hasRemaining() ? -1 : n;
    }

    /** True when decrypted bytes, or whole records, wait here although the socket may have nothing more. */
    boolean hasBufferedInput() {
        return appIn.hasRemaining() || (!endOfInput && netIn.position() > 0);
    }

    /**
     * Encrypts from {@code src} and writes what the socket takes: returns the plaintext bytes consumed.
     * Records the socket did not take stay here ({@link #hasPendingOutput()}); they go first on the next call
     * or {@link #flush()}. Returns 0 when even those could not all be written.
     */
    int write(ByteBuffer src) throws IOException {
        int start = src.position();
        while (src.hasRemaining()) {
            if (netOut.remaining() < engine.getSession().getPacketBufferSize() && !flush()) {
                break; // no room for another record and the socket is full: the caller waits for OP_WRITE
            }
            SSLEngineResult r = wrap(src);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("the TLS session is closed: nothing more can be sent");
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                break;
            }
        }
        flush();
        return src.position() - start;
    }

    /** Writes the encrypted records waiting here; true when none is left. */
    boolean flush() throws IOException {
        if (netOut.position() == 0) {
            return true;
        }
        netOut.flip();
        try {
            while (netOut.hasRemaining() && channel.write(netOut) > 0) {
                // the socket took some: offer it the rest
            }
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    /** True when encrypted records wait for room in the socket. */
    boolean hasPendingOutput() {
        return netOut.position() > 0;
    }

    /**
     * Sends close_notify, as far as the socket takes it without waiting (the connection is closing
     * anyway). Never throws.
     */
    void closeOutbound() {
        try {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult r = wrap(EMPTY);
                if (r.bytesProduced() == 0 && r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    break;
                }
            }
            flush();
        } catch (IOException | RuntimeException ignored) {
            // closing: the server notices the end of the socket instead
        }
    }

    /** The certificate the server presented (for channel binding), or null. */
    Certificate peerCertificate() {
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            return chain.length > 0 ? chain[0] : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /**
     * Wraps {@code src} into netOut; when the engine needs more room than is free, writes netOut out first,
     * or grows it if the socket does not take it (a handshake message or alert must be kept whole).
     */
    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        while (true) {
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            if (netOut.position() == 0 || !flush()) {
                netOut = grow(netOut, engine.getSession().getPacketBufferSize());
            }
        }
    }

    /** Unwraps one record from netIn into appIn, growing appIn on BUFFER_OVERFLOW and netIn when a record cannot fit. */
    private SSLEngineResult unwrap() throws SSLException {
        while (true) {
            netIn.flip();
            appIn.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
                appIn.flip();
            }
            switch (r.getStatus()) {
                case BUFFER_OVERFLOW -> {
                    appIn.compact();
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize()).flip();
                }
                case BUFFER_UNDERFLOW -> {
                    int packet = engine.getSession().getPacketBufferSize();
                    if (netIn.capacity() < packet) { // a record larger than the buffer: make room for it
                        netIn = grow(netIn, packet);
                    }
                    return r;
                }
                default -> {
                    return r;
                }
            }
        }
    }

    /** Reads from the socket into netIn: the bytes read, 0 when none is there now, -1 at its end. */
    private int fill() throws IOException {
        return channel.read(netIn);
    }

    /**
     * A renegotiation or TLS 1.3 post-handshake message (a session ticket, a key update) met while reading:
     * its few cheap tasks run here, and an answer is queued for the next flush.
     */
    private void postHandshake(SSLEngineResult r) throws IOException {
        SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
        while (hs == SSLEngineResult.HandshakeStatus.NEED_TASK || hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            } else {
                wrap(EMPTY);
            }
            hs = engine.getHandshakeStatus();
        }
        flush(); // what the socket does not take now goes with the next write
    }

    /** A buffer in write mode holding {@code b}'s bytes (write mode), with at least {@code room} more free. */
    private static ByteBuffer grow(ByteBuffer b, int room) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + room));
        b.flip();
        bigger.put(b);
        return bigger;
    }
}
