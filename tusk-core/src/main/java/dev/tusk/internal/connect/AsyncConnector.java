package dev.tusk.internal.connect;

import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.Startup;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.wire.Frontend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The non-blocking twin of {@link Connector}: the same steps (each host in turn, SSLRequest or direct TLS
 * ({@link AsyncTls}), allow/prefer's second attempt ({@link TlsAttempt}), the startup and authentication
 * exchange through the same {@link Startup} command and authenticator) driven by an {@link EventLoopDriver}.
 * Only host-name resolution and the TLS set-up (reading certificate files) leave the loop, on a small
 * resolver pool, since the JDK offers no non-blocking DNS or file reads.
 */
public final class AsyncConnector {
    private static final ExecutorService RESOLVER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tusk-resolver");
        t.setDaemon(true);
        return t;
    });

    private AsyncConnector() {
    }

    /** A connected, authenticated session driven by an event loop. */
    public record Established(EventLoopDriver driver, HostSpec host, ConnParams params) {
    }

    /**
     * Connects to the first host (each address of its name in turn) that accepts and suits
     * {@code target_session_attrs}; the future fails with an OperationalException listing every attempt otherwise.
     */
    public static CompletableFuture<Established> connect(ConnParams params, EventLoop loop) {
        LoopFuture<Established> result = new LoopFuture<>();
        new HostWalk(params, loop, result).nextHost();
        return result;
    }

    /** The attempts of one connect, in the blocking connector's order: each pass, each host, each address. */
    private static final class HostWalk {
        private final ConnParams params;
        private final EventLoop loop;
        private final LoopFuture<Established> result;
        private final String wanted;
        private final List<String> passes;
        private final List<HostSpec> hosts;
        private final List<String> failures = new ArrayList<>();
        private TuskException last;
        private int pass;
        private int host;

        HostWalk(ConnParams params, EventLoop loop, LoopFuture<Established> result) {
            this.params = params;
            this.loop = loop;
            this.result = result;
            this.wanted = Connector.targetSessionAttrs(params);
            this.passes = Connector.passes(wanted);
            this.hosts = params.connectionOrder();
        }

        void nextHost() {
            if (host == hosts.size()) {
                host = 0;
                pass++;
            }
            if (pass == passes.size()) {
                result.completeExceptionally(Connector.finalError(failures, last));
                return;
            }
            HostSpec spec = hosts.get(host++);
            String attrs = passes.get(pass);
            CompletableFuture.supplyAsync(() -> Connector.addresses(spec, failures), RESOLVER)
                    .whenComplete((addresses, err) -> loop.execute(() -> {
                        if (err != null) { // not an UnknownHostException: that is a failure listed, no address
                            last = asTusk(LoopFuture.unwrap(err), spec);
                            failures.add(Connector.describe(spec) + ": " + last.getMessage());
                            nextHost();
                        } else {
                            tryAddress(addresses, 0, attrs);
                        }
                    }));
        }

        private void tryAddress(List<HostSpec> addresses, int index, String attrs) {
            if (index == addresses.size()) {
                nextHost();
                return;
            }
            HostSpec address = addresses.get(index);
            // connect_timeout bounds the whole attempt on this address, target_session_attrs check included
            Duration timeout = params.connectTimeout();
            long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
            connectAllowingTls(address, params, loop, deadline)
                    .thenCompose(est -> checkAttributes(est, attrs, timeout, deadline).handle((mismatch, err) -> {
                        if (err != null) {
                            est.driver().close();
                            throw new CompletionException(LoopFuture.unwrap(err));
                        }
                        if (mismatch != null) {
                            est.driver().close();
                            failures.add(Connector.describe(address) + ": " + mismatch + " (target_session_attrs=" + wanted + ")");
                            return null;
                        }
                        return est;
                    }))
                    .whenComplete((est, err) -> loop.execute(() -> {
                        if (err != null) {
                            last = asTusk(LoopFuture.unwrap(err), address);
                            failures.add(Connector.describe(address) + ": " + last.getMessage());
                        }
                        if (est != null) {
                            result.complete(est);
                        } else {
                            tryAddress(addresses, index + 1, attrs);
                        }
                    }));
        }
    }

    /** The target_session_attrs check of a new session, failed (and the session with it) at the deadline. */
    private static CompletableFuture<String> checkAttributes(Established est, String attrs, Duration timeout, long deadline) {
        CompletableFuture<String> check = SessionAttributes.mismatch(est.driver(), attrs);
        if (deadline == 0 || check.isDone()) {
            return check;
        }
        EventLoop.Timer timer = est.driver().schedule(Math.max(0, deadline - System.nanoTime()), () -> {
            if (!check.isDone()) {
                est.driver().fail(timedOut(est.host(), timeout));
            }
        });
        return check.whenComplete((m, e) -> timer.cancel());
    }

    private static OperationalException timedOut(HostSpec host, Duration timeout) {
        return new OperationalException("connection to " + Connector.describe(host) + " timed out after "
                + timeout.toSeconds() + " s (connect_timeout): the server did not complete the connection"
                + " (TCP connect, TLS, startup and authentication) in time");
    }

    /** As the blocking connector: allow's second attempt over TLS, prefer's without ({@link TlsAttempt}). */
    private static CompletableFuture<Established> connectAllowingTls(HostSpec host, ConnParams params, EventLoop loop,
                                                                     long deadline) {
        return connectWithProtocol(host, params, loop, TlsAttempt.AS_SSLMODE, deadline).handle((est, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(est);
            }
            TuskException e = asTusk(LoopFuture.unwrap(err), host);
            TlsAttempt retry = e instanceof DatabaseException de ? TlsAttempt.retryAfter(de, host, params) : null;
            return retry == null ? LoopFuture.<Established>failed(e) : connectWithProtocol(host, params, loop, retry, deadline);
        }).thenCompose(f -> f);
    }

    /** As the blocking connector: protocol 3.2 first, 3.0 again if the server refuses the startup outright. */
    private static CompletableFuture<Established> connectWithProtocol(HostSpec host, ConnParams params, EventLoop loop,
                                                                      TlsAttempt tls, long deadline) {
        int protocol = Connector.firstProtocol(host, params);
        return connectTo(host, params, loop, tls, protocol, deadline).handle((est, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(est);
            }
            Throwable e = LoopFuture.unwrap(err);
            boolean again = protocol != Frontend.PROTOCOL_3_0 && e instanceof DatabaseException de
                    && Connector.fallsBackTo30(de, host, params);
            return again ? connectTo(host, params, loop, tls, Frontend.PROTOCOL_3_0, deadline) : LoopFuture.<Established>failed(e);
        }).thenCompose(f -> f);
    }

    /** One startup on {@code host}, failed when {@code deadline} (System.nanoTime(); 0: none) passes. */
    private static CompletableFuture<Established> connectTo(HostSpec host, ConnParams params, EventLoop loop, TlsAttempt tls,
                                                            int protocol, long deadline) {
        LoopFuture<Established> result = new LoopFuture<>();
        ProtocolCore core = new ProtocolCore();
        EventLoopDriver driver = new EventLoopDriver(loop, core);
        Duration timeout = params.connectTimeout();
        EventLoop.Timer timer = deadline == 0 ? null : loop.schedule(Math.max(0, deadline - System.nanoTime()), () -> {
            if (!result.isDone()) {
                driver.fail(timedOut(host, timeout));
                result.completeExceptionally(driver.failure());
            }
        });
        result.whenComplete((est, err) -> {
            if (timer != null) {
                timer.cancel();
            }
        });
        resolve(host).whenComplete((address, err) -> loop.execute(() -> {
            if (result.isDone()) {
                return;
            }
            if (err != null) {
                result.completeExceptionally(LoopFuture.unwrap(err));
                return;
            }
            driver.connect(address, !"0".equals(params.get("keepalives"))).whenComplete((v, connectErr) -> {
                if (connectErr != null) {
                    result.completeExceptionally(connectErr);
                    return;
                }
                if (!host.isUnixSocket()) {
                    try {
                        TcpOptions.apply(driver.channel(), params);
                    } catch (IOException | RuntimeException e) {
                        driver.close();
                        result.completeExceptionally(e);
                        return;
                    }
                }
                if (host.isUnixSocket() || !tls.asksForTls(params.sslmode())) {
                    startup(driver, host, params, protocol, result);
                } else if (TlsAttempt.isDirect(params)) {
                    OperationalException wrong = TlsAttempt.checkDirect(params);
                    if (wrong != null) {
                        driver.fail(wrong);
                        result.completeExceptionally(wrong);
                    } else {
                        AsyncTls.start(driver, host, params, true, RESOLVER, () -> startup(driver, host, params, protocol, result), result);
                    }
                } else {
                    negotiateTls(driver, host, params, tls, protocol, result);
                }
            });
        }));
        return result;
    }

    private static CompletableFuture<SocketAddress> resolve(HostSpec host) {
        if (host.isUnixSocket()) {
            return CompletableFuture.completedFuture(UnixDomainSocketAddress.of(host.socketPath()));
        }
        String name = host.hostaddr() != null ? host.hostaddr() : host.host();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new InetSocketAddress(InetAddress.getByName(name), host.port());
            } catch (UnknownHostException e) {
                throw new CompletionException(new OperationalException("could not translate host name \"" + name
                        + "\" to an address: " + e.getMessage(), e));
            }
        }, RESOLVER);
    }

    private static void negotiateTls(EventLoopDriver driver, HostSpec host, ConnParams params, TlsAttempt tls, int protocol,
                                     LoopFuture<Established> result) {
        driver.awaitByte(answer -> {
            if (answer == 'N') {
                OperationalException refused = tls.refused(params.sslmode());
                if (refused == null) {
                    startup(driver, host, params, protocol, result);
                } else {
                    driver.fail(refused);
                    result.completeExceptionally(driver.failure());
                }
            } else if (answer == 'S') {
                if (driver.core().input().available() > 0) {
                    // bytes sent before the handshake cannot be trusted: someone may be injecting them (CVE-2021-23222)
                    driver.fail(new OperationalException("protocol violation: the server sent unencrypted data after"
                            + " accepting TLS; the connection is not safe, check the network path to the server"));
                    result.completeExceptionally(driver.failure());
                    return;
                }
                AsyncTls.start(driver, host, params, false, RESOLVER, () -> startup(driver, host, params, protocol, result), result);
            } else if (answer < 0) {
                result.completeExceptionally(driver.failure()); // lost, or timed out, before the answer came
            } else {
                driver.fail(new OperationalException("protocol violation: unexpected answer '" + (char) answer + "' to SSLRequest"));
                result.completeExceptionally(driver.failure());
            }
        });
        Frontend.sslRequest(driver.core().output());
        driver.flush();
    }

    private static void startup(EventLoopDriver driver, HostSpec host, ConnParams params, int protocol,
                                LoopFuture<Established> result) {
        Startup startup = new Startup(protocol, Connector.startupParams(params),
                new PasswordAuthenticator(params.user(), params.passwordFor(host),
                        AuthPolicy.of(params.get("require_auth"), params.get("channel_binding")), driver.peerCertificate()));
        startup.onComplete(() -> {
            TuskException error = startup.error() != null ? startup.error()
                    : Connector.belowMinimumProtocol(params, driver.core().session().protocolVersion());
            if (error != null) {
                driver.fail(error);
                result.completeExceptionally(error);
            } else {
                result.complete(new Established(driver, host, params));
            }
        });
        driver.send(startup);
    }

    private static TuskException asTusk(Throwable t, HostSpec host) {
        if (t instanceof TuskException te) {
            return te;
        }
        if (t instanceof IOException) {
            return new OperationalException("connection to " + Connector.describe(host) + " failed: " + t.getMessage()
                    + (host.isUnixSocket() ? "" : "; is the server running and accepting TCP/IP connections?"), t);
        }
        return new OperationalException("connection to " + Connector.describe(host) + " failed: " + t, t);
    }
}
