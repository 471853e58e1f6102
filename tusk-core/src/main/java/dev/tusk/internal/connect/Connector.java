package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.Channels;
import dev.tusk.internal.observe.Observer;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.SocketTransport;
import dev.tusk.internal.io.Transport;
import dev.tusk.internal.io.UnixSocketTransport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * Runs a {@link ConnectPlan} on the caller's thread: DNS, the socket, TLS ({@link TlsNegotiator}) and the
 * exchange's reads block, each attempt within its {@code connect_timeout} ({@link AttemptDeadline}).
 */
public final class Connector {
    private Connector() {
    }

    public static EstablishedSession<BlockingDriver> connect(ConnParams params) {
        return connect(params, null);
    }

    /** Connects, telling {@code observer} (null: nobody) of each attempt. */
    public static EstablishedSession<BlockingDriver> connect(ConnParams params, Observer observer) {
        EventLoop.checkNotOnEventLoop("a blocking Connection.connect()");
        ConnectPlan plan = new ConnectPlan(params).observe(observer);
        ConnectPlan.Step step = plan.start();
        while (!(step instanceof ConnectPlan.GiveUp giveUp)) {
            if (step instanceof ConnectPlan.Resolve r) {
                step = resolve(plan, r.host());
                continue;
            }
            Attempt attempt = (Attempt) step;
            BlockingDriver driver;
            try (AttemptDeadline deadline = AttemptDeadline.of(attempt)) {
                driver = run(attempt, params, deadline);
            } catch (TuskException e) {
                step = plan.failed(attempt, e);
                continue;
            }
            step = plan.finished(attempt);
            if (step instanceof ConnectPlan.Connected) {
                return new EstablishedSession<>(driver, driver.core(), driver.transport().isTls(), attempt.host(), params,
                        observer);
            }
            driver.close();
        }
        throw giveUp.error();
    }

    /** Every address of a host name (blocks on DNS). */
    private static ConnectPlan.Step resolve(ConnectPlan plan, HostSpec host) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host.host());
        } catch (IOException | RuntimeException e) {
            return plan.unresolved(host, e);
        }
        return plan.resolved(host, all);
    }

    /**
     * One attempt: the socket, then the attempt's steps, each read bounded by what is left of the deadline.
     * Returns the driver of a ready session; on failure the socket is closed.
     */
    private static BlockingDriver run(Attempt attempt, ConnParams params, AttemptDeadline deadline) {
        HostSpec host = attempt.host();
        Transport transport = open(attempt, params, deadline);
        BlockingDriver driver = new BlockingDriver(attempt.core(), transport);
        try {
            driver.readDeadline(deadline.deadlineNanos());
            transport.setReadTimeout(deadline.millisLeft());
            for (Attempt.Next next = attempt.opened(); next != Attempt.Next.DONE; ) {
                next = switch (next) {
                    case SSL_REQUEST -> attempt.sslAnswer(sslAnswer(driver, deadline), false);
                    case TLS, DIRECT_TLS -> {
                        SocketTransport plain = (SocketTransport) driver.transport();
                        plain.setReadTimeout(deadline.millisLeft());
                        driver.transport(new SocketTransport(TlsNegotiator.wrap(plain.socket(), host.host(), host.port(),
                                params, next == Attempt.Next.DIRECT_TLS)));
                        driver.transport().setReadTimeout(deadline.millisLeft());
                        yield attempt.secured(driver.transport().peerCertificate());
                    }
                    case RUN -> {
                        driver.run(attempt.command());
                        yield attempt.ran();
                    }
                    case DONE -> throw new IllegalStateException();
                };
            }
            driver.readDeadline(0);
            return driver;
        } catch (IOException e) {
            driver.close();
            if (deadline.explains(e)) {
                throw deadline.timedOut(host, e);
            }
            throw new OperationalException("connection to " + ConnectPlan.describe(host) + " failed: " + ConnectPlan.reason(e), e);
        } catch (TuskException e) {
            driver.close();
            throw deadline.explains(e) ? deadline.timedOut(host, e) : e;
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    /** Flushes SSLRequest and reads the one byte of the server's answer (-1: the server closed). */
    private static int sslAnswer(BlockingDriver driver, AttemptDeadline deadline) throws IOException {
        driver.flush();
        SocketTransport plain = (SocketTransport) driver.transport();
        byte[] one = new byte[1];
        plain.setReadTimeout(deadline.millisLeft());
        return plain.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    private static Transport open(Attempt attempt, ConnParams params, AttemptDeadline deadline) {
        HostSpec host = attempt.host();
        Socket s = null;
        try {
            if (host.isUnixSocket()) {
                return new UnixSocketTransport(host.socketPath());
            }
            InetSocketAddress address = attempt.resolved() != null
                    ? new InetSocketAddress(attempt.resolved(), host.port())
                    : new InetSocketAddress(host.hostaddr() != null ? host.hostaddr() : host.host(), host.port());
            // a channel's socket: a pool can then check an idle connection without waiting (SocketTransport.readNow)
            SocketChannel channel = Channels.openFor(address);
            s = channel.socket();
            deadline.watch(s);
            TcpOptions.apply(s, params);
            int millis = deadline.millisLeft();
            if (millis == 0 && !address.isUnresolved()) {
                // no connect_timeout: the channel's blocking connect is one connect(2); the socket's (with or
                // without a timeout) switches to non-blocking and back around a poll, 6 more system calls
                channel.connect(address);
            } else {
                s.connect(address, millis);
            }
            return new SocketTransport(s);
        } catch (IOException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // failed anyway
                }
            }
            if (deadline.explains(e)) {
                throw deadline.timedOut(host, e);
            }
            throw ConnectPlan.connectionFailed(host, e);
        }
    }
}
