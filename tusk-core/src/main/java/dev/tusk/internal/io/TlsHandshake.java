package dev.tusk.internal.io;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Runs a {@link TlsChannel}'s handshake on the event loop: advances it whenever the socket is ready, asks
 * for the readiness it waits for, and hands the engine's delegated tasks to their own threads so the loop
 * never waits for a certificate check. {@link #done()} completes on the loop thread once the handshake
 * has finished, or fails with the SSLException or IOException that ended it.
 */
final class TlsHandshake {
    private final TlsChannel tls;
    private final EventLoop loop;
    private final IntConsumer interest;
    private final CompletableFuture<Void> done = new LoopFuture<>();
    private boolean tasksRunning;

    /** @param interest sets the selection key's interest ops */
    TlsHandshake(TlsChannel tls, EventLoop loop, IntConsumer interest) {
        this.tls = tls;
        this.loop = loop;
        this.interest = interest;
    }

    CompletableFuture<Void> done() {
        return done;
    }

    boolean isDone() {
        return done.isDone();
    }

    /** Goes as far as the socket allows now. Loop thread only. */
    void advance() {
        if (done.isDone() || tasksRunning) {
            return;
        }
        TlsChannel.Step step;
        try {
            step = tls.handshake();
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
            return;
        }
        switch (step) {
            case DONE -> {
                interest.accept(SelectionKey.OP_READ);
                done.complete(null);
            }
            case READ -> interest.accept(SelectionKey.OP_READ);
            case WRITE -> interest.accept(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            case TASKS -> {
                tasksRunning = true;
                interest.accept(0);
                tls.runTasks(() -> loop.execute(() -> {
                    tasksRunning = false;
                    advance();
                }));
            }
        }
    }

    /** Ends a handshake still under way with {@code cause} (the connection is closing). Loop thread only. */
    void abort(Throwable cause) {
        done.completeExceptionally(cause);
    }
}
