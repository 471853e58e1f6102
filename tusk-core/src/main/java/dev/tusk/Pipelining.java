package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.op.PipelineState;
import dev.tusk.internal.wire.Frontend;

import java.util.List;

/**
 * Pipeline mode on a blocking {@link Connection}: entering and leaving its blocks, queueing statements and writing
 * them out, and waiting for a pipelined result. The rules are internal.op.PipelineState's; this class sends its
 * Syncs and Flushes and waits.
 */
final class Pipelining {
    private Pipelining() {
    }

    /** Enters a pipeline block: see {@link Connection#pipeline()}. */
    static Pipeline open(Connection<?> conn) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            PipelineState pipes = conn.session.pipelines();
            PipelineState.Block b = pipes.newBlock();
            pipes.enter(b);
            pipes.observeEnter(b);
            return new Pipeline(conn, pipes, b);
        } finally {
            conn.lock.unlock();
        }
    }

    static void pipelineEnded(Connection<?> conn, Pipeline p, Pipeline outer) {
        conn.lock.lock();
        try {
            PipelineState pipes = conn.session.pipelines();
            pipes.leave(p.block(), false);
            pipes.observeEnded(pipes.observeLeave(p.block()), null);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * In pipeline mode, statements were queued: the cursor waits for them when fetched; past
     * {@link PipelineState#WRITE_OUT_BYTES} of output they are written out. Lock held.
     */
    static void queuePipelined(Connection<?> conn, Cursor<?> cursor, List<QueryCommand> before, QueryCommand last) {
        if (before.isEmpty()) {
            cursor.setPending(last);
        } else {
            cursor.setPending(before, last);
        }
        if (conn.session.pipelines().writeOutDue()) {
            Command previous = conn.session.pipelines().writingOut(last);
            if (previous != null && !previous.isDone()) {
                conn.waits.awaitTimed(previous); // its error is raised by its cursor or the pipeline's sync
            }
            Frontend.flush(conn.driver().core().output());
            conn.driver().flush();
        }
    }

    /** A cursor raised the error of a pipelined statement: the pipeline's sync() does not raise it again. */
    static void pipelineErrorRaised(Connection<?> conn, TuskException e) {
        conn.look();
        conn.lock.lock();
        try {
            conn.session.pipelines().raised(e);
        } finally {
            conn.lock.unlock();
        }
    }

    /** A pipelined cursor wants its result: flush and read until it has arrived. */
    static void awaitPipelined(Connection<?> conn, QueryCommand cmd) {
        conn.use();
        conn.lock.lock();
        try {
            if (!cmd.isDone()) {
                conn.checkUsable();
                Frontend.flush(conn.driver().core().output());
                conn.driver().flush();
                conn.waits.awaitTimed(cmd); // its error is raised by its cursor or the pipeline's sync
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /** Pipeline mode: a commit, rollback or savepoint first syncs, raising the pipeline's error. Lock held. */
    static void syncPipelineIfAny(Connection<?> conn) {
        if (conn.session.pipelines().inPipeline()) {
            conn.checkUsable();
            Pipeline.sync(conn, conn.session.pipelines());
        }
    }
}
