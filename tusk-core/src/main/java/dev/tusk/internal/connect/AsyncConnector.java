package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.observe.Observer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs a {@link ConnectPlan} on an event loop: the same decisions and the same {@link Attempt} steps as the
 * blocking {@link Connector}, each step's I/O waited for by an {@link EventLoopDriver} (TLS by {@link AsyncTls}),
 * each attempt failed by a loop timer at its {@code connect_timeout}. Only host-name resolution and the TLS
 * set-up (reading certificate files) leave the loop, on a small resolver pool, since the JDK offers no
 * non-blocking DNS or file reads.
 */
public final class AsyncConnector {
    private static final ExecutorService RESOLVER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tusk-resolver");
        t.setDaemon(true);
        return t;
    });

    private final ConnParams params;
    private final EventLoop loop;
    private final ConnectPlan plan;
    private final LoopFuture<EstablishedSession<EventLoopDriver>> result = new LoopFuture<>();

    private final Observer observer;

    private AsyncConnector(ConnParams params, EventLoop loop, Observer observer) {
        this.params = params;
        this.loop = loop;
        this.observer = observer;
        this.plan = new ConnectPlan(params).observe(observer);
    }

    /**
     * Connects to the first host (each address of its name in turn) that accepts and suits
     * {@code target_session_attrs}; the future fails with an OperationalException listing every attempt otherwise.
     */
    public static CompletableFuture<EstablishedSession<EventLoopDriver>> connect(ConnParams params, EventLoop loop) {
        return connect(params, loop, null);
    }

    /** Connects, telling {@code observer} (null: nobody) of each attempt. */
    public static CompletableFuture<EstablishedSession<EventLoopDriver>> connect(ConnParams params, EventLoop loop, Observer observer) {
        AsyncConnector connector = new AsyncConnector(params, loop, observer);
        loop.execute(() -> connector.take(connector.plan.start()));
        return connector.result;
    }

    /** Takes the plan's next step. Loop thread only. */
    private void take(ConnectPlan.Step step) {
        if (step instanceof ConnectPlan.Resolve r) {
            HostSpec host = r.host();
            CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getAllByName(host.host());
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, RESOLVER).whenComplete((all, err) -> loop.execute(() -> take(err == null ? plan.resolved(host, all)
                    : plan.unresolved(host, asException(LoopFuture.unwrap(err))))));
        } else if (step instanceof Attempt a) {
            new Run(a).start();
        } else if (step instanceof ConnectPlan.GiveUp g) {
            result.completeExceptionally(g.error());
        }
    }

    private static Exception asException(Throwable t) {
        return t instanceof Exception e ? e : new CompletionException(t);
    }

    /** One attempt on the loop: its socket, then its steps as the I/O of each completes. */
    private final class Run {
        private final Attempt attempt;
        private final EventLoopDriver driver;
        private final LoopFuture<Void> done = new LoopFuture<>();

        Run(Attempt attempt) {
            this.attempt = attempt;
            this.driver = new EventLoopDriver(loop, attempt.core());
        }

        void start() {
            long deadline = attempt.deadlineNanos();
            EventLoop.Timer timer = deadline == 0 ? null : loop.schedule(Math.max(0, deadline - System.nanoTime()),
                    () -> fail(ConnectPlan.timedOut(attempt.host(), attempt.timeout(), null)));
            done.whenComplete((v, err) -> {
                if (timer != null) {
                    timer.cancel();
                }
                loop.execute(() -> {
                    ConnectPlan.Step next = err == null ? plan.finished(attempt) : plan.failed(attempt, asTusk(err));
                    if (next instanceof ConnectPlan.Connected) {
                        result.complete(new EstablishedSession<>(driver, driver.core(), driver.isTls(), attempt.host(),
                                params, observer));
                    } else {
                        driver.close();
                        take(next);
                    }
                });
            });
            address().whenComplete((address, err) -> loop.execute(() -> {
                if (done.isDone()) {
                    return;
                }
                if (err != null) {
                    done.completeExceptionally(LoopFuture.unwrap(err));
                    return;
                }
                driver.connect(address, !"0".equals(params.get("keepalives"))).whenComplete((v, connectErr) -> {
                    if (connectErr != null) {
                        fail(ConnectPlan.connectionFailed(attempt.host(), LoopFuture.unwrap(connectErr)));
                        return;
                    }
                    if (!attempt.host().isUnixSocket()) {
                        try {
                            TcpOptions.apply(driver.channel(), params);
                        } catch (IOException | RuntimeException e) {
                            fail(ConnectPlan.connectionFailed(attempt.host(), e));
                            return;
                        }
                    }
                    step(attempt::opened);
                });
            }));
        }

        /** Where to connect: resolved by the plan, else a unix socket, else the hostaddr (off the loop, to be safe). */
        private CompletableFuture<SocketAddress> address() {
            HostSpec host = attempt.host();
            if (attempt.resolved() != null) {
                return CompletableFuture.completedFuture(new InetSocketAddress(attempt.resolved(), host.port()));
            }
            if (host.isUnixSocket()) {
                return CompletableFuture.completedFuture(UnixDomainSocketAddress.of(host.socketPath()));
            }
            String name = host.hostaddr() != null ? host.hostaddr() : host.host();
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return new InetSocketAddress(InetAddress.getByName(name), host.port());
                } catch (IOException e) {
                    throw new CompletionException(new OperationalException(
                            "could not translate host name \"" + name + "\" to an address: " + e.getMessage(), e));
                }
            }, RESOLVER);
        }

        /** Asks the attempt for its next step and starts that step's I/O. Loop thread only. */
        private void step(Supplier<Attempt.Next> decide) {
            if (done.isDone()) {
                return; // timed out, or failed, meanwhile
            }
            Attempt.Next next;
            try {
                next = decide.get();
            } catch (RuntimeException e) {
                fail(e instanceof TuskException te ? te : ConnectPlan.connectionFailed(attempt.host(), e));
                return;
            }
            switch (next) {
                case SSL_REQUEST -> {
                    driver.awaitByte(answer -> {
                        if (answer < 0) {
                            fail(driver.failure()); // lost, or timed out, before the answer came
                        } else {
                            step(() -> attempt.sslAnswer(answer, driver.core().input().available() > 0));
                        }
                    });
                    driver.flush();
                }
                case TLS, DIRECT_TLS -> AsyncTls.start(driver, attempt.host(), params, next == Attempt.Next.DIRECT_TLS,
                        RESOLVER, () -> step(() -> attempt.secured(driver.peerCertificate())), done);
                case RUN -> {
                    Command command = attempt.command();
                    command.onComplete(() -> step(attempt::ran));
                    driver.send(command);
                }
                case DONE -> done.complete(null);
            }
        }

        private void fail(TuskException e) {
            if (!done.isDone()) {
                driver.fail(e);
                done.completeExceptionally(driver.failure());
            }
        }

        private TuskException asTusk(Throwable err) {
            Throwable t = LoopFuture.unwrap(err);
            return t instanceof TuskException te ? te : ConnectPlan.connectionFailed(attempt.host(), t);
        }
    }
}
