package dev.tusk.internal.op;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.observe.Observer;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One statement as the listeners see it, from its start on the submitting thread to its end, delivered exactly
 * once whichever thread gets there first (the event loop completing it, a close failing it). Made only when the
 * session has an observer.
 */
final class Observation {
    private final Observer observer;
    private final StatementStart start;
    private final Object context;
    private final Observer.PipelineScope pipeline;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The listeners' comment for the statement's text, once asked (on the thread running the operation). */
    private String comment;
    private boolean commentAsked;

    private Observation(Observer observer, StatementStart start, Object context, Observer.PipelineScope pipeline) {
        this.observer = observer;
        this.start = start;
        this.context = context;
        this.pipeline = pipeline;
    }

    /** Starts observing {@code op} (the session has {@code observer}): the listeners' statementStarted. */
    static Observation start(Observer observer, Session session, Operation op) {
        long now = System.nanoTime();
        Observer.PipelineScope pipeline = (Observer.PipelineScope) session.observedPipeline();
        String sql = op.observedSql();
        List<?> params = observer.observeParameters() ? shown(op.observedParams()) : null;
        StatementStart s = new StatementStart(observer.facts(), sql, Observer.operation(sql), op.batchSize(),
                pipeline != null, op.ownStatement(), params, now);
        if (pipeline != null) {
            pipeline.statement();
        }
        return new Observation(observer, s, observer.statementStarted(s, pipeline == null ? null : pipeline.context()),
                pipeline);
    }

    /** The listeners' comment for the statement's text (asked once), or null. */
    String comment() {
        if (!commentAsked) {
            commentAsked = true;
            comment = observer.statementComment(start, context);
        }
        return comment;
    }

    /** Ends the observation (the first call only) with the caller's error, or null when it succeeded. */
    void end(Operation op, Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        long now = System.nanoTime();
        long rows = -1;
        long bytes = -1;
        boolean prepared = false;
        try {
            prepared = op.observedPrepared();
            if (error == null) {
                rows = op.observedRows();
                bytes = op.observedBytes();
            }
        } catch (RuntimeException ignored) {
            // an operation ended before making its commands: nothing more to say
        }
        String sqlstate = error instanceof TuskException te ? te.sqlstate() : null;
        if (error != null && pipeline != null) {
            pipeline.failed(error);
        }
        observer.statementEnded(new StatementEnd(start, prepared, rows, bytes, now - start.startNanos(), sqlstate,
                error),
                context);
    }

    /** The rows returned or affected by {@code cmds}' results. */
    static long rows(List<QueryCommand> cmds) {
        long total = 0;
        for (QueryCommand c : cmds) {
            if (c == null) {
                continue;
            }
            for (ResultData r : c.results()) {
                long n = r.affectedRows();
                if (n < 0) {
                    n = r.rowCount();
                }
                if (n > 0) {
                    total += n;
                }
            }
        }
        return total;
    }

    /** The bytes of the row values of {@code cmds}' results. */
    static long bytes(List<QueryCommand> cmds) {
        long total = 0;
        for (QueryCommand c : cmds) {
            if (c == null) {
                continue;
            }
            for (ResultData r : c.results()) {
                total += r.dataLength();
            }
        }
        return total;
    }

    /** The values of {@code p} for someone who asked to see them: text values as text, binary ones in hex. */
    private static List<?> shown(BoundParams p) {
        if (p == null) {
            return null;
        }
        List<String> out = new ArrayList<>(p.size());
        for (int i = 0; i < p.size(); i++) {
            ByteBuffer v = p.value(i);
            if (v == null) {
                out.add(null);
                continue;
            }
            ByteBuffer b = v.duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            boolean text = p.formats().length == 0 || p.formats()[p.formats().length == 1 ? 0 : i] == 0;
            if (text) {
                out.add(new String(bytes, StandardCharsets.UTF_8));
            } else {
                StringBuilder sb = new StringBuilder("\\x");
                for (byte x : bytes) {
                    sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
                }
                out.add(sb.toString());
            }
        }
        return Collections.unmodifiableList(out);
    }
}
