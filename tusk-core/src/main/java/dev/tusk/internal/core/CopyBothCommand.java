package dev.tusk.internal.core;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.SqlState;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.util.ArrayDeque;

/**
 * A statement that puts the connection in COPY BOTH mode: {@code START_REPLICATION} on a replication
 * connection. The Query, then CopyBothResponse ('W'); from then on the server sends CopyData ('d') and the
 * client may send CopyData too (standby status updates) until one side sends CopyDone ('c') and the other
 * answers with its own. A physical stream that ends at a timeline switch is followed by a one-row result set
 * (the next timeline and where it starts); then CommandComplete and ReadyForQuery end the command.
 *
 * <p>Memory stays bounded: the input pauses once {@link #MAX_QUEUED} messages wait for the consumer, unless
 * the rest is being {@linkplain #discardOutput() dropped}.
 */
public final class CopyBothCommand extends Command {
    private static final int MAX_QUEUED = 256;

    private final String sql;
    private final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    private boolean started;
    private boolean serverDone;
    private boolean clientDone;
    private boolean discard;
    private ResultData result;
    private String commandTag;
    private Runnable progressListener;

    public CopyBothCommand(String sql) {
        this.sql = sql;
    }

    public String sql() {
        return sql;
    }

    @Override
    public void encode(MessageWriter out) {
        Frontend.query(out, sql);
    }

    /** A Query message has no Sync of its own (see {@link Command#sendsSync()}). */
    @Override
    public boolean sendsSync() {
        return false;
    }

    @Override
    public boolean wantsPause() {
        return !discard && messages.size() >= MAX_QUEUED;
    }

    /** The server answered with CopyBothResponse: the stream runs. */
    public boolean started() {
        return started;
    }

    /** The server sent CopyDone: no more CopyData will come. */
    public boolean serverDone() {
        return serverDone;
    }

    /** The client has sent CopyDone (it may send no more CopyData). */
    public boolean clientDone() {
        return clientDone;
    }

    /**
     * Writes the client's CopyDone into {@code out} (once): the server answers with its own and ends the
     * command.
     */
    public void finishInput(MessageWriter out) {
        if (!clientDone && started) {
            clientDone = true;
            Frontend.copyDone(out);
        }
    }

    /** The next CopyData payload, or null when none is queued. */
    public byte[] nextMessage() {
        return messages.poll();
    }

    /** The next CopyData payload without taking it, or null when none is queued. */
    public byte[] peekMessage() {
        return messages.peek();
    }

    public boolean hasMessage() {
        return !messages.isEmpty();
    }

    /** Nobody reads the rest: queued messages and those still to come are dropped, and the input never pauses. */
    public void discardOutput() {
        discard = true;
        messages.clear();
    }

    /** The result set sent after the stream (a physical stream's next timeline), or null. */
    public ResultData result() {
        return result;
    }

    public String commandTag() {
        return commandTag;
    }

    /** How many CopyData messages wait for the consumer. */
    public int queued() {
        return messages.size();
    }

    /**
     * Runs {@code listener} after each message the command handles (on the thread driving the core, inside it:
     * the listener must only note that there is something to do).
     */
    public void onProgress(Runnable listener) {
        this.progressListener = listener;
    }

    @Override
    protected boolean handle(int type, Payload p, ProtocolCore core) {
        boolean last = handleMessage(type, p, core);
        Runnable l = progressListener;
        if (l != null) {
            l.run();
        }
        return last;
    }

    private boolean handleMessage(int type, Payload p, ProtocolCore core) {
        switch (type) {
            case BackendMessage.COPY_BOTH_RESPONSE -> started = true;
            case BackendMessage.COPY_DATA -> {
                if (!discard) {
                    messages.add(p.rest());
                }
            }
            case BackendMessage.COPY_DONE -> {
                serverDone = true;
                finishInput(core.output()); // the server ended the stream: answer, so it can complete the command
            }
            case BackendMessage.ROW_DESCRIPTION -> result = new ResultData(RowDescriptions.parse(p, core.session().columnFactory()));
            case BackendMessage.DATA_ROW -> {
                if (result == null) {
                    throw new OperationalException("protocol violation: DataRow before RowDescription");
                }
                result.addRow(p);
            }
            case BackendMessage.COMMAND_COMPLETE -> {
                commandTag = core.commandTag(p);
                if (result != null && result.commandTag() == null) {
                    result.commandTag(commandTag);
                }
            }
            case BackendMessage.EMPTY_QUERY_RESPONSE -> {
            }
            case BackendMessage.COPY_IN_RESPONSE, BackendMessage.COPY_OUT_RESPONSE -> {
                fail(new ProgrammingException("expected a replication stream (COPY BOTH) but the server started a COPY"));
                if (type == BackendMessage.COPY_IN_RESPONSE) {
                    Frontend.copyFail(core.output(), "not a replication stream");
                }
            }
            case BackendMessage.ERROR_RESPONSE -> fail(SqlState.create(Diagnostics.parse(p), sql));
            case BackendMessage.READY_FOR_QUERY -> {
                core.transactionStatus((char) p.int8());
                return true;
            }
            default -> throw new OperationalException("protocol violation: unexpected message '" + (char) type
                    + "' during a replication stream");
        }
        return false;
    }

}
