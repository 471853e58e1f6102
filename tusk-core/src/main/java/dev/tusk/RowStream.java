package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Rows of a running statement, read from the socket a chunk at a time so memory stays bounded however
 * large the result: the server is held back by TCP flow control while the consumer works. Works in
 * autocommit mode too (no cursor or transaction needed).
 */
final class RowStream<R> implements Iterator<R> {
    private final Connection<?> conn;
    private final QueryCommand cmd;
    private final AdaptersMap adapters;
    private final RowFactory<R> factory;
    private final ArrayDeque<ResultData> pending = new ArrayDeque<>();
    private ResultView view;
    private RowFactory.RowMaker<R> maker;
    private java.util.List<Column> makerColumns;
    private int pos;
    private boolean finished;
    private boolean interrupted;

    RowStream(Connection<?> conn, QueryCommand cmd, AdaptersMap adapters, RowFactory<R> factory) {
        this.conn = conn;
        this.cmd = cmd;
        this.adapters = adapters;
        this.factory = factory;
    }

    @Override
    public boolean hasNext() {
        while (true) {
            if (view != null && pos < view.data.rowCount()) {
                return true;
            }
            if (!pending.isEmpty()) {
                ResultData next = pending.poll();
                if (!next.returnsRows()) {
                    continue;
                }
                view = view != null && view.columns() == next.columns() ? new ResultView(next, view) : new ResultView(next, adapters);
                if (makerColumns != next.columns()) {
                    maker = factory.maker(next.columns());
                    makerColumns = next.columns();
                }
                pos = 0;
                continue;
            }
            if (interrupted) {
                throw new OperationalException("the stream was interrupted: another operation ran on the connection"
                        + " before it was consumed; read a stream to its end (or close it) before the next statement");
            }
            if (finished) {
                return false;
            }
            fetchChunk();
        }
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return maker.make(new Row(view, pos++));
    }

    private void fetchChunk() {
        conn.lock.lock();
        try {
            if (conn.activeStream() != this) {
                throw new OperationalException("the stream was interrupted: another operation ran on the connection before it was consumed");
            }
            java.time.Duration fired = conn.awaitTimed(cmd);
            pending.addAll(cmd.drainStreamed());
            if (cmd.isDone()) {
                finished = true;
                conn.streamEnded(this);
                Connection.throwIfFailed(cmd, fired);
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Ends the statement so the connection can serve the next one: the rows still to come are dropped as they
     * arrive (never collected), and unless they had all arrived the server is asked to cancel the statement
     * ({@link Connection#abandon}): bounded memory and time however large the result. Lock held.
     * {@code interrupted}: another operation forced it, and the consumer learns so at its next read.
     */
    void discard(boolean interrupted) {
        this.interrupted = interrupted;
        finished = true;
        pending.clear();
        view = null;
        if (!cmd.isDone()) {
            cmd.discardRows();
            conn.abandon(cmd, "the statement of the stream closed early", true);
        }
    }
}
