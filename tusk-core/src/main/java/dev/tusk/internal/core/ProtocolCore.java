package dev.tusk.internal.core;

import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.InputBuffer;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sans-IO heart of a connection: bytes in, bytes out, no sockets, threads or clocks.
 *
 * <p>A driver {@link #send}s commands (their messages accumulate in {@link #output()}), writes the output
 * to its socket, puts the bytes it reads into {@link #input()} and calls {@link #process()}, which hands
 * each complete backend message to the command at the head of the queue. Asynchronous messages
 * (notices, notifications, parameter statuses) are handled here whatever the head command is. A
 * {@code client_encoding} other than UTF8 reported at any time breaks the connection ({@link ClientEncoding}).
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
    /** Read from any thread (EventLoopDriver.failure()). */
    private volatile TuskException brokenBy;
    private Diagnostic fatalWhileIdle;
    /**
     * Pipeline mode: a statement sent without its own Sync failed and no Sync has been sent after it yet, so
     * the server discards everything it receives until one arrives. Commands sent meanwhile fail at once with
     * {@link PipelineAborted} instead of waiting for replies that will never come.
     */
    private boolean skippingToSync;

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
        if (!admitted(command)) {
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
        session.clearLastError();
        markHead();
    }

    /** Queues a command whose messages were already written (or that writes none). */
    public void enqueue(Command command) {
        if (!admitted(command)) {
            return;
        }
        queue.add(command);
        markHead();
    }

    /**
     * Whether {@code command} may join the queue: not on a broken core (it is aborted with the cause), nor while a
     * replication stream runs (refused), nor when the server will skip it in an aborted pipeline (aborted).
     */
    private boolean admitted(Command command) {
        if (brokenBy != null) {
            command.abort(brokenBy);
            return false;
        }
        refuseDuringCopyBoth();
        return !(skippingToSync && skippedByServer(command));
    }

    /** A replication stream owns the connection until it ends: a statement sent now would break the session. */
    private void refuseDuringCopyBoth() {
        if (queue.peek() instanceof CopyBothCommand c && !c.isDone()) {
            throw new ProgrammingException("a replication stream is running on this connection:"
                    + " close the stream before running anything else on it");
        }
    }

    /**
     * While the server skips to the next Sync: a command without a Sync of its own would get no reply at all,
     * so it fails now (true: not sent); one with a Sync ends the skipping, and if it also carried a statement,
     * that statement was skipped, so it fails with PipelineAborted at its ReadyForQuery.
     */
    private boolean skippedByServer(Command command) {
        if (!command.sendsSync()) {
            command.abort(pipelineAborted());
            return true;
        }
        skippingToSync = false;
        if (command instanceof QueryCommand) {
            command.fail(pipelineAborted());
        }
        return false;
    }

    private static PipelineAborted pipelineAborted() {
        return new PipelineAborted("pipeline aborted: an earlier statement in the same pipeline failed, so the server"
                + " skipped this one; sync the pipeline (its sync() raises that error) to run statements again");
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
        return pauses(queue.peek());
    }

    /**
     * Whether {@code head} (the queue's head, or null) holds back further input. A statement (the usual head) is
     * asked through its own class, so this call site stays a direct call however many kinds of command the
     * connection ran before.
     */
    private static boolean pauses(Command head) {
        return head instanceof QueryCommand q ? q.wantsPause() : head != null && head.wantsPause();
    }

    /**
     * Consumes every complete message buffered in the input, stopping early when the head command
     * asks for a pause. A protocol violation breaks the connection and is rethrown; once broken (an Error of a
     * handler leaves the rest of a reply buffered, maybe read later by the event loop) the reason it broke is.
     */
    public void process() {
        TuskException broken = brokenBy;
        if (broken != null) { // nothing more is read from a broken connection: its first reason stays the one told
            throw broken;
        }
        try {
            while (true) {
                Command head = queue.peek();
                if (pauses(head)) {
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
        } catch (Error e) {
            // an Error of user code run while dispatching (a notify or notice handler, which log only exceptions; a
            // type loader): the messages after it are left unread, the command they answer unfinished, and the next
            // statement would read them (the handler's Error again, for a notification still buffered). The Error
            // goes on to the caller, as Java wants; the connection is broken, and says why.
            String who = session.takeThrewIn();
            connectionLost(new OperationalException((who != null ? who + ", user code run while the server's replies"
                    + " were read," : "user code run while the server's replies were read (a type loader)") + " threw " + e, e));
            throw e;
        }
    }

    private void dispatch(int type, Command head) {
        switch (type) {
            case BackendMessage.NOTICE_RESPONSE -> {
                Diagnostic notice = Diagnostics.parse(payload);
                if (fatalWhileIdle == null && ServerLeaving.announces(notice)) {
                    fatalWhileIdle = notice; // an immediate shutdown or a crash: the socket closes next
                }
                session.notice(notice);
                return;
            }
            case BackendMessage.NOTIFICATION_RESPONSE -> {
                int pid = payload.int32();
                String channel = payload.cstring();
                String body = payload.cstring();
                session.notification(channel, body, pid);
                return;
            }
            case BackendMessage.PARAMETER_STATUS -> {
                String name = payload.cstring();
                String value = payload.cstring();
                session.parameterStatus(name, value);
                if (name.equals("client_encoding") && !ClientEncoding.isUtf8(value)) {
                    throw ClientEncoding.changed(value); // breaks the connection: see process()
                }
                return;
            }
            default -> {
            }
        }
        if (type == BackendMessage.READY_FOR_QUERY) {
            // pipeline: commands before the Sync that the server skipped after an error (normally failed
            // already when the error arrived, see skipToSync)
            while (head != null && !head.endsAtSync()) {
                queue.poll();
                head.abort(pipelineAborted());
                head = queue.peek();
            }
            markHead();
        }
        if (head == null) {
            if (type == BackendMessage.ERROR_RESPONSE) {
                // e.g. pg_terminate_backend or idle_session_timeout: a FATAL error, then the socket closes
                fatalWhileIdle = Diagnostics.parse(payload);
                return;
            }
            throw new OperationalException("protocol violation: unexpected message '" + (char) type
                    + "' while no command was waiting");
        }
        // a statement's reply (the usual case) through QueryCommand's final handle: a direct call, not one
        // dispatched over every kind of command the connection has run
        boolean done = head instanceof QueryCommand q ? q.handle(type, payload, this) : head.handle(type, payload, this);
        if (type == BackendMessage.ERROR_RESPONSE) {
            session.failed(head.error());
        }
        if (done) {
            queue.poll();
            Command[] skipped = type == BackendMessage.ERROR_RESPONSE && !head.endsAtSync() && !terminating(head.error()) ? skipToSync() : null;
            head.complete();
            if (skipped != null) {
                PipelineAborted aborted = pipelineAborted();
                for (Command c : skipped) {
                    c.abort(aborted);
                }
            }
            markHead();
        }
    }

    /** A FATAL (or PANIC) error: the server ends the session, the commands behind fail as the connection goes. */
    private static boolean terminating(TuskException e) {
        Diagnostic d = e == null ? null : e.diag();
        if (d == null) {
            return false;
        }
        String severity = d.severityNonlocalized() != null ? d.severityNonlocalized() : d.severity();
        return "FATAL".equals(severity) || "PANIC".equals(severity);
    }

    /**
     * A statement without its own Sync failed: the server now discards every message up to the next Sync.
     * Takes the commands queued before that Sync out of the queue (they get no reply: the caller fails them
     * with PipelineAborted); marks a command carrying a statement and the Sync as skipped too; with no Sync
     * queued, remembers that the server is skipping, for the commands sent next.
     */
    private Command[] skipToSync() {
        List<Command> skipped = new ArrayList<>();
        Command next;
        while ((next = queue.peek()) != null && !next.sendsSync()) {
            skipped.add(queue.poll());
        }
        if (next == null) {
            skippingToSync = true;
        } else if (next instanceof QueryCommand) {
            next.fail(pipelineAborted());
        }
        return skipped.toArray(new Command[0]);
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
    /** {@link #lastCommandTag} as it was received (UTF-8): compared in one go with the next tag's bytes. */
    private byte[] lastCommandTagBytes = new byte[0];

    /** Reads a CommandComplete's tag. */
    String commandTag(Payload p) {
        byte[] last = lastCommandTagBytes;
        if (p.atCString(last)) {
            p.skip(last.length + 1);
            return lastCommandTag;
        }
        int start = p.position();
        String tag = p.cstring();
        lastCommandTagBytes = Arrays.copyOfRange(p.array(), start, p.position() - 1);
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

    /** Told once, with its cause, when the connection breaks (see {@link #onLost}); null: nobody. */
    private Consumer<TuskException> lostListener;

    /**
     * Runs {@code listener} once, with the cause, on the thread that finds the connection broken (the first
     * {@link #connectionLost}), after the queued commands were failed. Set before the connection is used.
     */
    public void onLost(Consumer<TuskException> listener) {
        this.lostListener = listener;
    }

    /** Fails every queued command: the transport is gone. Idempotent. */
    public void connectionLost(TuskException cause) {
        boolean first = brokenBy == null;
        if (first) {
            brokenBy = cause;
            session.failed(cause);
        }
        Command c;
        while ((c = queue.poll()) != null) {
            c.abort(brokenBy);
        }
        Consumer<TuskException> l = lostListener;
        if (first && l != null) {
            l.accept(cause);
        }
    }

    public boolean isBroken() {
        return brokenBy != null;
    }

    public TuskException brokenBy() {
        return brokenBy;
    }
}
