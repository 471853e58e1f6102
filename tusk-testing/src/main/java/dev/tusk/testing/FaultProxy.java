package dev.tusk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a client and a PostgreSQL server that injects network faults: test code only.
 *
 * <p>Every accepted client connection gets its own server connection and two pump threads (client to
 * server, server to client). By default bytes pass through unchanged. Faults:
 * <ul>
 *   <li>{@link #delay(Duration)}: sleep before forwarding each chunk read (both directions);</li>
 *   <li>{@link #throttle(long)}: forward at most that many bytes per second (both directions);</li>
 *   <li>{@link #failAfterServerBytes(long, Action)} / {@link #failAfterClientBytes(long, Action)}: forward
 *       exactly N more bytes in that direction, then apply the action;</li>
 *   <li>{@link #failAtServerMessage(char, int, Action)}: when the K-th backend message of that type (counted
 *       from the moment of the call) starts, forward the bytes before it, not the message, then apply the
 *       action;</li>
 *   <li>{@link #failNow(Action)}: apply the action to every open connection at once;</li>
 *   <li>{@link #holdFromStart()}: the connections accepted from then on read what the client sends but forward
 *       nothing of it until {@link #releaseHeld()} (bytes delayed in the network, a request the server has not
 *       seen yet though the client wrote it).</li>
 * </ul>
 * Actions: {@link Action#CLOSE} closes both sockets (the client sees end of stream), {@link Action#RESET}
 * closes them with {@code SO_LINGER 0} (the client sees "connection reset"), {@link Action#SILENCE} stops
 * forwarding in both directions but keeps the sockets open (the client waits for bytes that never come).
 * {@link #silentFromStart()} silences every connection as soon as it is accepted (a server that accepts
 * but never answers).
 *
 * <p>The server-to-client parser reads 5-byte message headers (type, int32 length) from the first byte,
 * so clients must not send an SSLRequest or GSSENCRequest, whose answer is a single untyped byte: connect
 * with {@code sslmode=disable}. Triggers are one-shot and proxy-wide: use one client connection per proxy
 * when a fault must hit a particular one (a cancel request also opens a connection through the proxy).
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start("127.0.0.1", 5432)) {
 *     Connection<Row> c = Connection.connect("host=127.0.0.1 port=" + proxy.port() + " sslmode=disable ...");
 *     proxy.failAtServerMessage('D', 1000, FaultProxy.Action.CLOSE);   // cut the 1000th DataRow
 *     c.execute("SELECT generate_series(1, 100000)");                  // raises OperationalException
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {
    /** What a fault does to a connection. */
    public enum Action {
        /** Close both sockets normally: the client reads end of stream. */
        CLOSE,
        /** Close both sockets with SO_LINGER 0: an RST, the client reads "connection reset". */
        RESET,
        /** Stop forwarding anything, keep the sockets open. */
        SILENCE
    }

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;
    private volatile long delayNanos;
    private volatile long bytesPerSecond;
    private volatile boolean silentFromStart;
    private volatile ByteTrigger serverBytes;
    private volatile ByteTrigger clientBytes;
    private volatile MessageTrigger serverMessage;
    private volatile int triggerConnection;
    /** Set by {@link #holdFromStart()}: what the connections accepted from then on wait for; null: no holding. */
    private volatile CountDownLatch hold;
    private volatile CountDownLatch lastHold;
    private final AtomicLong heldBytes = new AtomicLong();

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a pass-through proxy to {@code host:port} on a free loopback port. */
    public static FaultProxy start(String host, int port) {
        try {
            return new FaultProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("can't open the proxy's listening socket", e);
        }
    }

    /** The loopback port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** How many client connections the proxy has accepted. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Sleeps this long before forwarding each chunk, in both directions; zero turns it off. */
    public FaultProxy delay(Duration d) {
        delayNanos = d.toNanos();
        return this;
    }

    /** Forwards at most this many bytes per second in each direction; 0 turns it off. */
    public FaultProxy throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Every connection accepted from now on is silenced at once (the server never answers). */
    public FaultProxy silentFromStart() {
        silentFromStart = true;
        return this;
    }

    /**
     * Every connection accepted from now on forwards nothing its client sends (it reads and counts it,
     * {@link #heldClientBytes()}) until {@link #releaseHeld()}; the server's bytes pass as usual.
     */
    public FaultProxy holdFromStart() {
        hold = lastHold = new CountDownLatch(1);
        return this;
    }

    /** Holds no connection accepted from now on; those held stay held until {@link #releaseHeld()}. */
    public void stopHoldingNew() {
        hold = null;
    }

    /** Forwards what the held connections' clients sent, in order, and holds no new connection. */
    public void releaseHeld() {
        hold = null;
        CountDownLatch h = lastHold;
        if (h != null) {
            h.countDown();
        }
    }

    /** How many client bytes the held connections have read and not yet forwarded (since {@link #holdFromStart()}). */
    public long heldClientBytes() {
        return heldBytes.get();
    }

    /** Waits until the held connections hold at least {@code n} client bytes; false on timeout. */
    public boolean awaitHeldClientBytes(long n, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (heldBytes.get() < n) {
            if (System.nanoTime() - until > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** {@link #releaseHeld()} after {@code delay}, on a daemon thread of its own. */
    public void releaseHeldAfter(Duration delay) {
        Thread t = new Thread(() -> {
            sleepNanos(delay.toNanos());
            releaseHeld();
        }, "fault-proxy-release-" + port());
        t.setDaemon(true);
        t.start();
    }

    /** Forwards {@code n} more bytes server to client, then applies {@code action}. */
    public FaultProxy failAfterServerBytes(long n, Action action) {
        serverBytes = new ByteTrigger(n, action);
        return this;
    }

    /** Forwards {@code n} more bytes client to server, then applies {@code action}. */
    public FaultProxy failAfterClientBytes(long n, Action action) {
        clientBytes = new ByteTrigger(n, action);
        return this;
    }

    /**
     * Applies {@code action} where the {@code k}-th backend message of {@code type} (counting from now)
     * starts; the bytes before it are forwarded, the message is not.
     */
    public FaultProxy failAtServerMessage(char type, int k, Action action) {
        if (k < 1) {
            throw new IllegalArgumentException("k counts from 1");
        }
        serverMessage = new MessageTrigger((byte) type, k, action);
        return this;
    }

    /**
     * Limits the one-shot triggers ({@link #failAfterServerBytes}, {@link #failAfterClientBytes},
     * {@link #failAtServerMessage}) to the {@code n}-th accepted connection (counting from 1), so that other
     * connections through the proxy (a cancel request's) neither fire nor consume them; 0 (the default) lets
     * every connection fire them.
     */
    public FaultProxy triggersOnlyOnConnection(int n) {
        triggerConnection = n;
        return this;
    }

    /** Applies {@code action} to every open connection now. */
    public void failNow(Action action) {
        for (Link l : links) {
            l.apply(action);
        }
    }

    /** True once a one-shot trigger has fired. */
    public boolean triggered() {
        return fired.getCount() == 0;
    }

    /** Waits until a trigger has fired; false on timeout. */
    public boolean awaitTriggered(Duration timeout) throws InterruptedException {
        return fired.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private final CountDownLatch fired = new CountDownLatch(1);

    /** Stops accepting and closes every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Link l : links) {
            l.closeBoth(false);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            int number = accepted.incrementAndGet();
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(target, 5000);
            } catch (IOException e) {
                closeQuietly(client, true);
                closeQuietly(server, false);
                continue;
            }
            Link link = new Link(client, server, number, hold);
            links.add(link);
            if (silentFromStart) {
                link.apply(Action.SILENCE);
            }
            link.start();
        }
    }

    private static void closeQuietly(Socket s, boolean reset) {
        try {
            if (reset) {
                s.setSoLinger(true, 0);
            }
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** One proxied connection: a client socket, its server socket and the two pumps between them. */
    private final class Link {
        final Socket client;
        final Socket server;
        final int number;
        final CountDownLatch unsilenced = new CountDownLatch(1); // released only when closed
        /** What the client's bytes wait for before they are forwarded ({@link #holdFromStart()}); null: nothing. */
        final CountDownLatch held;
        volatile boolean silent;
        volatile boolean dead;

        Link(Socket client, Socket server, int number, CountDownLatch held) {
            this.client = client;
            this.server = server;
            this.number = number;
            this.held = held;
        }

        void start() {
            Thread up = new Thread(() -> pump(client, server, false), "fault-proxy-c2s-" + client.getPort());
            Thread down = new Thread(() -> pump(server, client, true), "fault-proxy-s2c-" + client.getPort());
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        void apply(Action action) {
            fired.countDown();
            switch (action) {
                case CLOSE -> closeBoth(false);
                case RESET -> closeBoth(true);
                case SILENCE -> silent = true;
            }
        }

        void closeBoth(boolean reset) {
            dead = true;
            closeQuietly(client, reset);
            closeQuietly(server, reset);
            unsilenced.countDown();
            links.remove(this);
        }

        private void pump(Socket from, Socket to, boolean serverToClient) {
            byte[] buf = new byte[16 * 1024];
            MessageScanner scanner = serverToClient ? new MessageScanner() : null;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (!dead) {
                    if (silent) {
                        holdWhileSilent();
                        return;
                    }
                    int n = in.read(buf);
                    if (!serverToClient && held != null && held.getCount() > 0) {
                        waitForRelease(Math.max(n, 0));
                    }
                    if (n < 0) {
                        to.shutdownOutput(); // pass the FIN on
                        return;
                    }
                    if (!forward(buf, n, out, scanner, serverToClient)) {
                        return;
                    }
                }
            } catch (IOException e) {
                if (!dead) {
                    closeBoth(false); // one side failed: end the other one as a network would
                }
            }
        }

        /** Holds {@code n} client bytes (and what follows them) until {@link #releaseHeld()} or the proxy closes. */
        private void waitForRelease(int n) {
            heldBytes.addAndGet(n);
            try {
                while (!dead && !closed && !held.await(50, TimeUnit.MILLISECONDS)) {
                    // until released, or the link or the proxy ends
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                heldBytes.addAndGet(-n);
            }
        }

        private void holdWhileSilent() {
            try {
                unsilenced.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Forwards {@code n} bytes, firing the triggers that fall inside them; false when the link ended. */
        private boolean forward(byte[] buf, int n, OutputStream out, MessageScanner scanner, boolean s2c)
                throws IOException {
            int off = 0;
            while (off < n) {
                if (silent) {
                    holdWhileSilent();
                    return false;
                }
                int len = n - off;
                Action action = null;
                int only = triggerConnection;
                if (only != 0 && only != number) {
                    send(buf, off, len, out); // triggers belong to another connection
                    return true;
                }
                ByteTrigger bt = s2c ? serverBytes : clientBytes;
                if (bt != null) {
                    long left = bt.remaining.get();
                    if (left <= len) {
                        len = (int) left;
                        action = bt.action;
                    }
                }
                if (s2c) {
                    MessageTrigger mt = serverMessage;
                    int cut = scanner.scan(buf, off, len, mt);
                    if (cut >= 0) {
                        len = cut - off;
                        action = mt.action;
                        serverMessage = null;
                    }
                }
                send(buf, off, len, out);
                if (bt != null) {
                    bt.remaining.addAndGet(-len);
                }
                off += len;
                if (action != null) {
                    disarm(bt, s2c);
                    apply(action);
                    if (action == Action.SILENCE) {
                        holdWhileSilent();
                    }
                    return false;
                }
            }
            return true;
        }

        private void disarm(ByteTrigger bt, boolean s2c) {
            if (bt != null && bt.remaining.get() <= 0) {
                if (s2c) {
                    serverBytes = null;
                } else {
                    clientBytes = null;
                }
            }
        }

        private void send(byte[] buf, int off, int len, OutputStream out) throws IOException {
            if (len == 0) {
                return;
            }
            long delay = delayNanos;
            if (delay > 0) {
                sleepNanos(delay);
            }
            long rate = bytesPerSecond;
            if (rate <= 0) {
                out.write(buf, off, len);
                out.flush();
                return;
            }
            int slice = (int) Math.max(1, rate / 20); // 50 ms worth per write
            for (int i = off; i < off + len; i += slice) {
                int m = Math.min(slice, off + len - i);
                out.write(buf, i, m);
                out.flush();
                sleepNanos(m * 1_000_000_000L / rate);
            }
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A one-shot "after N more bytes" trigger. */
    private static final class ByteTrigger {
        final AtomicLong remaining;
        final Action action;

        ByteTrigger(long n, Action action) {
            this.remaining = new AtomicLong(n);
            this.action = action;
        }
    }

    /** A one-shot "at the K-th message of this type" trigger. */
    private static final class MessageTrigger {
        final byte type;
        final AtomicInteger left;
        final Action action;

        MessageTrigger(byte type, int k, Action action) {
            this.type = type;
            this.left = new AtomicInteger(k);
            this.action = action;
        }
    }

    /** Follows the backend message boundaries (1 type byte, int32 length including itself, body). */
    private static final class MessageScanner {
        private int headerSeen; // bytes of the current header seen so far, 0..5
        private int length;
        private long bodyLeft;

        /**
         * Scans {@code buf[off, off+len)}; returns the offset where the triggering message starts, or -1. Bytes
         * past a returned offset are left unscanned (the link ends there).
         */
        int scan(byte[] buf, int off, int len, MessageTrigger trigger) {
            int i = off;
            int end = off + len;
            while (i < end) {
                if (bodyLeft > 0) {
                    int skip = (int) Math.min(bodyLeft, end - i);
                    bodyLeft -= skip;
                    i += skip;
                    continue;
                }
                byte b = buf[i];
                if (headerSeen == 0) {
                    if (trigger != null && b == trigger.type && trigger.left.decrementAndGet() == 0) {
                        return i;
                    }
                    length = 0;
                } else {
                    length = (length << 8) | (b & 0xff);
                }
                headerSeen++;
                i++;
                if (headerSeen == 5) {
                    headerSeen = 0;
                    bodyLeft = length - 4L;
                }
            }
            return -1;
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + port() + " -> " + target + "]";
    }
}
