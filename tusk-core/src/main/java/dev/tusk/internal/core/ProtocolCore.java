package dev.tusk.internal.core;

import dev.tusk.Notify;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.wire.InputBuffer;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.util.ArrayDeque;

/**
 * The sans-IO heart of a connection: bytes in, bytes out, no sockets, threads or clocks.
 *
 * <p>A driver {@link #send}s commands (their messages accumulate in {@link #output()}), writes the output
 * to its socket, puts the bytes it reads into {@link #input()} and calls {@link #process()}, which hands
 * each complete backend message to the command at the head of the queue. Asynchronous messages
 * (notices, notifications, parameter statuses) are handled here whatever the head command is.
 *
 * <p>Not thread-safe: a driver serialises access (a lock for the blocking driver, the event loop for the
 * non-blocking one).
 */
public final class ProtocolCore {
    private final InputBuffer input;
    private final MessageWriter output = new MessageWriter();
    private final ArrayDeque<Command> queue = new ArrayDeque<>();
    private final SessionState session = new SessionState();
    private final Payload payload = new Payload();
    private TuskException brokenBy;
    private Diagnostic fatalWhileIdle;

    public ProtocolCore() {
        this(new InputBuffer());
    }

    public ProtocolCore(InputBuffer input) {
        this.input = input;
    }

    public InputBuffer input() {
        return input;
    }

    public MessageWriter output() {
        return output;
    }

    public SessionState session() {
        return session;
    }

    /** Encodes {@code command} into the output and queues it for the responses. */
    public void send(Command command) {
        if (brokenBy != null) {
            command.abort(brokenBy);
            return;
        }
        int mark = output.position();
        try {
            command.encode(output);
        } catch (RuntimeException e) {
            // trust #16: a message that cannot be written (too large, text that is not valid Unicode) leaves
            // nothing of the command behind, so the next statement goes out whole and the connection stays usable
            output.rewind(mark);
            throw e;
        }
        queue.add(command);
        markHead();
    }

    /** Queues a command whose messages were already written (or that writes none). */
    public void enqueue(Command command) {
        if (brokenBy != null) {
            command.abort(brokenBy);
            return;
        }
        queue.add(command);
        markHead();
    }

    public boolean hasPending() {
        return !queue.isEmpty();
    }

    public int pendingCount() {
        return queue.size();
    }

    public Command head() {
        return queue.peek();
    }

    /** True while the head command holds back further input ({@link Command#wantsPause()}). */
    public boolean paused() {
        Command head = queue.peek();
        return head != null && head.wantsPause();
    }

    /**
     * Consumes every complete message buffered in the input, stopping early when the head command
     * asks for a pause. A protocol violation breaks the connection and is rethrown.
     */
    public void process() {
        try {
            while (true) {
                Command head = queue.peek();
                if (paused()) {
                    return;
                }
                int type = input.nextFrame(payload);
                if (type < 0) {
                    return;
                }
                dispatch(type, head);
            }
        } catch (TuskException e) {
            connectionLost(e);
            throw e;
        } catch (RuntimeException e) {
            OperationalException oe = new OperationalException("protocol violation: " + e, e);
            connectionLost(oe);
            throw oe;
        }
    }

    private void dispatch(int type, Command head) {
        switch (type) {
            case 'N' -> {
                Diagnostic notice = Diagnostics.parse(payload);
                if (fatalWhileIdle == null && ServerLeaving.announces(notice)) {
                    fatalWhileIdle = notice; // an immediate shutdown or a crash: the socket closes next
                }
                session.notice(notice);
                return;
            }
            case 'A' -> {
                int pid = payload.int32();
                String channel = payload.cstring();
                String body = payload.cstring();
                session.notification(new Notify(channel, body, pid));
                return;
            }
            case 'S' -> {
                String name = payload.cstring();
                String value = payload.cstring();
                session.parameterStatus(name, value);
                return;
            }
            default -> {
            }
        }
        if (type == 'Z') {
            // pipeline: commands before the Sync that the server skipped after an error
            while (head != null && !head.endsAtSync()) {
                queue.poll();
                head.abort(new PipelineAborted("pipeline aborted: an earlier statement in the same pipeline failed, so the server skipped this one"));
                head = queue.peek();
            }
            markHead();
        }
        if (head == null) {
            if (type == 'E') {
                // e.g. pg_terminate_backend or idle_session_timeout: a FATAL error, then the socket closes
                fatalWhileIdle = Diagnostics.parse(payload);
                return;
            }
            throw new OperationalException("protocol violation: unexpected message '" + (char) type
                    + "' while no command was waiting");
        }
        if (head.handle(type, payload, this)) {
            queue.poll();
            head.complete();
            markHead();
        }
    }

    /** Tells the command now at the head of the queue that the server is working on it (once per command). */
    private void markHead() {
        Command head = queue.peek();
        if (head != null) {
            head.reachedHead();
        }
    }

    /** The last command tag read: "SELECT 1" again is not a new String. */
    private String lastCommandTag = "";

    /** Reads a CommandComplete's tag. */
    String commandTag(Payload p) {
        String tag = p.cstring(lastCommandTag);
        lastCommandTag = tag;
        return tag;
    }

    void transactionStatus(char status) {
        session.transactionStatus(status);
    }

    void backendKey(int pid, byte[] key) {
        session.backendKey(pid, key);
    }

    /**
     * The error the server sent while no command was running (usually the reason it closed), or the warning by
     * which it announced it is terminating the connection (see {@link ServerLeaving}).
     */
    public Diagnostic fatalWhileIdle() {
        return fatalWhileIdle;
    }

    /** Fails every queued command: the transport is gone. Idempotent. */
    public void connectionLost(TuskException cause) {
        if (brokenBy == null) {
            brokenBy = cause;
        }
        Command c;
        while ((c = queue.poll()) != null) {
            c.abort(brokenBy);
        }
    }

    public boolean isBroken() {
        return brokenBy != null;
    }

    public TuskException brokenBy() {
        return brokenBy;
    }
}
