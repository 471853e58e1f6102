package dev.tusk.internal.core;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

/**
 * One exchange with the server: it encodes its frontend messages, then consumes backend messages until it
 * has seen its last one. Commands queue up in the {@link ProtocolCore}; several may be in flight at once
 * (pipelining), each completed in order.
 */
public abstract class Command {
    private TuskException error;
    private volatile boolean done;
    private Runnable completionListener;

    /** Writes this command's messages. */
    public abstract void encode(MessageWriter out);

    /**
     * Handles one backend message addressed to this command.
     *
     * @return true when this was the command's last message
     */
    protected abstract boolean handle(int type, Payload payload, ProtocolCore core);

    /**
     * True when the command's last message is ReadyForQuery. In pipeline mode a command without its own
     * Sync ends at CommandComplete or ErrorResponse; one still queued when a ReadyForQuery arrives was
     * skipped by the server after an earlier error.
     */
    public boolean endsAtSync() {
        return true;
    }

    /**
     * True when the command's messages end with a Sync, where the server starts listening again after an
     * error in the extended protocol. A simple Query ends at ReadyForQuery without one: the server discards it
     * while it skips to the next Sync.
     */
    public boolean sendsSync() {
        return endsAtSync();
    }

    /** True while the command holds back further input (a stream's chunk is full). */
    public boolean wantsPause() {
        return false;
    }

    /** Records an error; the first one wins, the command still runs to its end (ReadyForQuery). */
    protected void fail(TuskException e) {
        if (error == null) {
            error = e;
        }
    }

    final void complete() {
        done = true;
        Runnable l = completionListener;
        if (l != null) {
            l.run();
        }
    }

    /** The connection is gone: the command ends with {@code cause} unless it already failed. */
    public void abort(TuskException cause) {
        if (!done) {
            fail(cause);
            complete();
        }
    }

    private Runnable headListener;
    private boolean atHead;

    /**
     * Runs {@code listener} when the command reaches the head of the queue (the server is working on it),
     * at once if it already has. On the thread that drives the core.
     */
    public void onHead(Runnable listener) {
        if (atHead) {
            listener.run();
        } else {
            headListener = listener;
        }
    }

    final void reachedHead() {
        if (!atHead) {
            atHead = true;
            Runnable l = headListener;
            if (l != null) {
                l.run();
            }
        }
    }

    /** Called once, after the command completes (on the thread that processed its last message). */
    public void onComplete(Runnable listener) {
        this.completionListener = listener;
    }

    public boolean isDone() {
        return done;
    }

    public TuskException error() {
        return error;
    }

    public void throwIfFailed() {
        if (error != null) {
            throw error;
        }
    }
}
