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
 * A COPY statement: the Query, then either CopyInResponse (the client sends CopyData..., CopyDone) or
 * CopyOutResponse (the server sends CopyData..., CopyDone), then CommandComplete and ReadyForQuery.
 *
 * <p>Both directions keep memory bounded: COPY FROM pauses the input once the server is ready for data
 * (the caller then writes); COPY TO pauses once {@link #MAX_QUEUED} chunks wait for the consumer.
 */
public final class CopyCommand extends Command {
    private static final int MAX_QUEUED = 128;

    public enum Direction { UNKNOWN, IN, OUT }

    private final String sql;
    private Direction direction = Direction.UNKNOWN;
    private int format;
    private int columns;
    private boolean inputFinished;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private boolean outDone;
    private boolean discardOutput;
    private String commandTag;
    private Runnable progressListener;
    /** The bytes of data moved either way (CopyData payloads). */
    private long dataBytes;

    public CopyCommand(String sql) {
        this.sql = sql;
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
        if (direction == Direction.IN) {
            return !inputFinished;
        }
        return direction == Direction.OUT && chunks.size() >= MAX_QUEUED;
    }

    /** COPY FROM: the caller has written its last CopyData and a CopyDone or CopyFail. */
    public void inputFinished() {
        inputFinished = true;
    }

    public Direction direction() {
        return direction;
    }

    /** The number of columns the CopyIn/CopyOutResponse announced (0 before it). */
    public int columns() {
        return columns;
    }

    /** 0 text, 1 binary (the overall format of CopyIn/CopyOutResponse). */
    public int format() {
        return format;
    }

    /**
     * COPY TO: nobody will read the rest (the COPY was closed early or abandoned): the chunks queued and
     * those still to come are dropped, so the command runs to its end in bounded memory and never pauses.
     */
    public void discardOutput() {
        discardOutput = true;
        chunks.clear();
    }

    /** COPY TO: the next chunk of data, or null when none is queued. */
    public byte[] nextChunk() {
        return chunks.poll();
    }

    /** COPY TO: whether a chunk is queued. */
    public boolean hasChunk() {
        return !chunks.isEmpty();
    }

    public boolean outputComplete() {
        return outDone || isDone();
    }

    /** COPY FROM: the client sent {@code n} bytes of data. */
    public void sentData(long n) {
        dataBytes += n;
    }

    /** The bytes of data moved so far, either way. */
    public long dataBytes() {
        return dataBytes;
    }

    public String commandTag() {
        return commandTag;
    }

    /**
     * Runs {@code listener} after each message the command handles before its last (the COPY response, each
     * chunk, CopyDone, an error), on the thread that drives the core: the non-blocking driver's cue.
     */
    public void onProgress(Runnable listener) {
        this.progressListener = listener;
    }

    @Override
    protected boolean handle(int type, Payload p, ProtocolCore core) {
        boolean last = handleMessage(type, p, core);
        Runnable l = progressListener;
        if (!last && l != null) {
            l.run();
        }
        return last;
    }

    private boolean handleMessage(int type, Payload p, ProtocolCore core) {
        switch (type) {
            case BackendMessage.COPY_IN_RESPONSE -> {
                format = p.int8();
                columns = p.int16();
                direction = Direction.IN;
            }
            case BackendMessage.COPY_OUT_RESPONSE -> {
                format = p.int8();
                columns = p.int16();
                direction = Direction.OUT;
            }
            case BackendMessage.COPY_BOTH_RESPONSE -> {
                fail(new ProgrammingException("COPY BOTH (replication) is not supported by copy()"));
                Frontend.copyFail(core.output(), "COPY BOTH is not supported");
            }
            case BackendMessage.COPY_DATA -> {
                dataBytes += p.remaining();
                if (!discardOutput) {
                    chunks.add(p.rest());
                }
            }
            case BackendMessage.COPY_DONE -> outDone = true;
            case BackendMessage.COMMAND_COMPLETE -> commandTag = p.cstring();
            case BackendMessage.ROW_DESCRIPTION, BackendMessage.DATA_ROW, BackendMessage.EMPTY_QUERY_RESPONSE -> {
                if (type == BackendMessage.ROW_DESCRIPTION) {
                    fail(new ProgrammingException("copy() needs a COPY statement; use execute() for queries"));
                }
            }
            case BackendMessage.ERROR_RESPONSE -> {
                fail(SqlState.create(Diagnostics.parse(p), sql));
                direction = direction == Direction.IN ? Direction.UNKNOWN : direction; // nothing more to send
                inputFinished = true;
            }
            case BackendMessage.READY_FOR_QUERY -> {
                core.transactionStatus((char) p.int8());
                return true;
            }
            default -> throw new OperationalException("protocol violation: unexpected message '" + (char) type + "' during COPY");
        }
        return false;
    }

    public String sql() {
        return sql;
    }
}
