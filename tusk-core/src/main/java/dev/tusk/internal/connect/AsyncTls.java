package dev.tusk.internal.connect;

import dev.tusk.internal.io.LoopFuture;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.io.EventLoopDriver;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Starts TLS on an event-loop connection, as {@link TlsNegotiator} does on a blocking one: the same
 * {@link TlsConfig} (trusted roots, client certificate, host-name check, versions, SNI, ALPN for direct
 * TLS), built off the loop since it reads files, then the handshake driven by the
 * {@link EventLoopDriver}. Failures are the blocking side's exceptions with the same words.
 */
final class AsyncTls {
    private AsyncTls() {
    }

    private record Setup(TlsConfig config, SSLEngine engine) {
    }

    /**
     * Sets up TLS for {@code host} and shakes hands; then runs {@code then} on the loop thread. On failure the
     * driver is failed and {@code result} completed with the exception. Nothing happens once {@code result}
     * is done (the attempt timed out). Loop thread only.
     *
     * @param direct sslnegotiation=direct: ALPN "postgresql" is offered and required
     * @param offLoop where the certificate files are read and the SSLContext is built
     */
    static void start(EventLoopDriver driver, HostSpec host, ConnParams params, boolean direct, Executor offLoop,
                      Runnable then, CompletableFuture<?> result) {
        CompletableFuture.supplyAsync(() -> {
            TlsConfig config = TlsConfig.of(params);
            return new Setup(config, config.engine(host.host(), host.port(), direct));
        }, offLoop).whenComplete((setup, err) -> driver.loop().execute(() -> {
            if (result.isDone()) {
                return;
            }
            if (err != null) {
                fail(driver, result, setupFailed(err));
                return;
            }
            driver.startTls(setup.engine()).whenComplete((v, handshakeErr) -> {
                if (result.isDone()) {
                    return;
                }
                if (handshakeErr != null) {
                    fail(driver, result, handshakeFailed(LoopFuture.unwrap(handshakeErr), setup.config(), host, direct));
                    return;
                }
                OperationalException refused = direct ? TlsConfig.checkAlpn(setup.engine().getApplicationProtocol()) : null;
                if (refused != null) {
                    fail(driver, result, refused);
                    return;
                }
                then.run();
            });
        }));
    }

    private static void fail(EventLoopDriver driver, CompletableFuture<?> result, TuskException e) {
        driver.fail(e);
        result.completeExceptionally(e);
    }

    private static TuskException setupFailed(Throwable err) {
        Throwable e = LoopFuture.unwrap(err);
        if (e instanceof TuskException te) {
            return te;
        }
        return new OperationalException("cannot set up TLS: " + e.getMessage(), e);
    }

    private static TuskException handshakeFailed(Throwable e, TlsConfig config, HostSpec host, boolean direct) {
        if (e instanceof SSLHandshakeException she) {
            return config.handshakeFailed(she, host.host(), direct);
        }
        if (e instanceof TuskException te) {
            return te;
        }
        if (e instanceof IOException) {
            return new OperationalException("connection to " + ConnectPlan.describe(host) + " failed: " + e.getMessage(), e);
        }
        return new OperationalException("TLS handshake failed: " + e, e);
    }

}
