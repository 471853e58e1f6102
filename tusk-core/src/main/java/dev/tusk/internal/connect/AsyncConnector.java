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

    /** Connects to the first host that accepts; the future fails with an OperationalException otherwise. */
    public static CompletableFuture<Established> connect(ConnParams params, EventLoop loop) {
        LoopFuture<Established> result = new LoopFuture<>();
        tryHost(params, loop, 0, new ArrayList<>(), null, result);
        return result;
    }

    private static void tryHost(ConnParams params, EventLoop loop, int index, List<String> failures, TuskException last,
                                LoopFuture<Established> result) {
        List<HostSpec> hosts = params.connectionOrder();
        if (index >= hosts.size()) {
            result.completeExceptionally(failures.size() == 1 ? last
                    : new OperationalException("could not connect to any host:\n  " + String.join("\n  ", failures), last));
            return;
        }
        HostSpec host = hosts.get(index);
        connectAllowingTls(host, params, loop).whenComplete((est, err) -> {
            if (err == null) {
                result.complete(est);
                return;
            }
            TuskException e = asTusk(LoopFuture.unwrap(err), host);
            failures.add(Connector.describe(host) + ": " + e.getMessage());
            tryHost(params, loop, index + 1, failures, e, result);
        });
    }

    /** As the blocking connector: allow's second attempt over TLS, prefer's without ({@link TlsAttempt}). */
    private static CompletableFuture<Established> connectAllowingTls(HostSpec host, ConnParams params, EventLoop loop) {
        return connectTo(host, params, loop, TlsAttempt.AS_SSLMODE).handle((est, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(est);
            }
            TuskException e = asTusk(LoopFuture.unwrap(err), host);
            TlsAttempt retry = e instanceof DatabaseException de ? TlsAttempt.retryAfter(de, host, params) : null;
            return retry == null ? LoopFuture.<Established>failed(e) : connectTo(host, params, loop, retry);
        }).thenCompose(f -> f);
    }

    private static CompletableFuture<Established> connectTo(HostSpec host, ConnParams params, EventLoop loop, TlsAttempt tls) {
        LoopFuture<Established> result = new LoopFuture<>();
        ProtocolCore core = new ProtocolCore();
        EventLoopDriver driver = new EventLoopDriver(loop, core);
        Duration timeout = params.connectTimeout();
        EventLoop.Timer timer = timeout == null ? null : loop.schedule(timeout.toNanos(), () -> {
            if (!result.isDone()) {
                driver.fail(new OperationalException("connection to " + Connector.describe(host) + " timed out after "
                        + timeout.toSeconds() + " s (connect_timeout)"));
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
                    startup(driver, host, params, result);
                } else if (TlsAttempt.isDirect(params)) {
                    OperationalException wrong = TlsAttempt.checkDirect(params);
                    if (wrong != null) {
                        driver.fail(wrong);
                        result.completeExceptionally(wrong);
                    } else {
                        AsyncTls.start(driver, host, params, true, RESOLVER, () -> startup(driver, host, params, result), result);
                    }
                } else {
                    negotiateTls(driver, host, params, tls, result);
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

    private static void negotiateTls(EventLoopDriver driver, HostSpec host, ConnParams params, TlsAttempt tls,
                                     LoopFuture<Established> result) {
        driver.awaitByte(answer -> {
            if (answer == 'N') {
                OperationalException refused = tls.refused(params.sslmode());
                if (refused == null) {
                    startup(driver, host, params, result);
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
                AsyncTls.start(driver, host, params, false, RESOLVER, () -> startup(driver, host, params, result), result);
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

    private static void startup(EventLoopDriver driver, HostSpec host, ConnParams params, LoopFuture<Established> result) {
        Startup startup = new Startup(Frontend.PROTOCOL_3_0, Connector.startupParams(params),
                new PasswordAuthenticator(params.user(), params.passwordFor(host),
                        AuthPolicy.of(params.get("require_auth"), params.get("channel_binding")), driver.peerCertificate()));
        startup.onComplete(() -> {
            if (startup.error() != null) {
                driver.fail(startup.error());
                result.completeExceptionally(startup.error());
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
