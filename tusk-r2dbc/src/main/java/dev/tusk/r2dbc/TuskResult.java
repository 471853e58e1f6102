package dev.tusk.r2dbc;

import dev.tusk.AsyncCursor;
import dev.tusk.Column;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.TuskException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The result of one statement (one binding of it, or one statement of a multi-statement text) as R2DBC
 * segments: its rows ({@link Result.RowSegment}), its count of affected rows ({@link Result.UpdateCount}, for
 * the commands that report one and are not SELECT), the server's notices and its error ({@link Result.Message}).
 * {@link #map} and {@link #getRowsUpdated} raise the error; {@link #flatMap} hands it over as a segment.
 */
final class TuskResult implements Result {
    /** The segments as they come (a result read through a server-side cursor), or null when {@link #eager}. */
    private final Flux<Segment> segments;
    /** The segments of a statement received whole, or null. */
    private final Segment[] eager;

    TuskResult(Flux<Segment> segments) {
        this.segments = segments;
        this.eager = null;
    }

    /** A result whose segments are all in memory: {@link #map} and {@link #getRowsUpdated} read them without operators. */
    TuskResult(Segment[] segments) {
        this.segments = null;
        this.eager = segments;
    }

    private Flux<Segment> segments() {
        return segments != null ? segments : Flux.fromArray(eager);
    }

    record UpdateCountImpl(long value) implements UpdateCount {
    }

    /** A notice (error false) or the statement's error, as R2DBC's Message. */
    record MessageImpl(R2dbcException exception, int errorCode, String sqlState, String message, boolean error,
                       Diagnostic diagnostic) implements Message {
        static MessageImpl notice(Diagnostic d) {
            return new MessageImpl(new Errors.TuskR2dbcException(String.valueOf(d.messagePrimary()), d.sqlstate(), null, null),
                    0, d.sqlstate(), d.messagePrimary(), false, d);
        }

        static MessageImpl error(Throwable t) {
            R2dbcException e = t instanceof R2dbcException r ? r
                    : new Errors.TuskR2dbcException(String.valueOf(t.getMessage()), null, null, t);
            Diagnostic d = e.getCause() instanceof TuskException te ? te.diag() : Diagnostic.EMPTY;
            return new MessageImpl(e, e.getErrorCode(), e.getSqlState(), e.getMessage(), true, d);
        }
    }

    /** The results of a completed statement: one per result set (several for a multi-statement text). */
    static List<Result> of(AsyncCursor<dev.tusk.Row> cur, List<Diagnostic> notices, TuskConnection connection) {
        Result single = null;
        List<Result> out = null;
        boolean first = true;
        do {
            int before = first ? notices.size() : 0;
            String tag = cur.statusmessage();
            int after = tag != null && reportsCount(tag) ? 1 : 0;
            List<Column> cols = cur.description();
            Segment[] segs;
            if (cols != null) {
                segs = rows(cur, connection.metadataFor(cols), before, after);
            } else {
                segs = new Segment[before + after];
            }
            for (int i = 0; i < before; i++) { // the notices received before the answer go first, in the first result
                segs[i] = MessageImpl.notice(notices.get(i));
            }
            if (after != 0) {
                segs[segs.length - 1] = new UpdateCountImpl(Math.max(0, cur.rowcount()));
            }
            Result r = new TuskResult(segs);
            if (first) {
                single = r;
            } else {
                if (out == null) {
                    out = new ArrayList<>(4);
                    out.add(single);
                }
                out.add(r);
            }
            first = false;
        } while (cur.nextset());
        return out != null ? out : List.of(single);
    }

    /**
     * Beyond this many rows the array grows as they come: the count is of rows already in memory, but a count that
     * was wrong must not make a huge array.
     */
    private static final int PRESIZE_LIMIT = 1 << 24;

    /**
     * The segments of a result with rows: {@code before} free slots (its notices), its rows, each its own segment,
     * read straight from the cursor (no list of them in between), {@code after} free slots (its update count).
     * The array is sized by the cursor's row count and fitted to the rows read, whatever that count said.
     */
    private static Segment[] rows(AsyncCursor<dev.tusk.Row> cur, TuskRowMetadata md, int before, int after) {
        dev.tusk.Row r = cur.fetchone();
        if (r == null) {
            return new Segment[before + after];
        }
        long count = cur.rowcount();
        Segment[] segs = new Segment[before + (int) Math.min(Math.max(count, 1), PRESIZE_LIMIT) + after];
        int at = before;
        do {
            if (at == segs.length) {
                segs = Arrays.copyOf(segs, segs.length + (segs.length >> 1) + 1);
            }
            segs[at++] = new TuskRow(r, md);
            r = cur.fetchone();
        } while (r != null);
        return at + after == segs.length ? segs : Arrays.copyOf(segs, at + after);
    }

    /** A statement that failed: its notices, then its error. */
    static TuskResult failed(Throwable error, List<Diagnostic> notices) {
        int n = notices.size();
        Segment[] segs = new Segment[n + 1];
        for (int i = 0; i < n; i++) {
            segs[i] = MessageImpl.notice(notices.get(i));
        }
        segs[n] = MessageImpl.error(error);
        return new TuskResult(segs);
    }

    /** INSERT, UPDATE, DELETE, MERGE, COPY and the like; not SELECT (whose count is of rows returned, not affected). */
    private static boolean reportsCount(String tag) {
        int sp = tag.indexOf(' ');
        if (sp < 0) {
            return false;
        }
        if (isCommand(tag, sp, "SELECT") || isCommand(tag, sp, "FETCH") || isCommand(tag, sp, "MOVE")) {
            return false;
        }
        char last = tag.charAt(tag.length() - 1);
        return last >= '0' && last <= '9';
    }

    /** Whether the tag's first word (ending at {@code sp}) is {@code cmd}, ignoring case. */
    private static boolean isCommand(String tag, int sp, String cmd) {
        return sp == cmd.length() && tag.regionMatches(true, 0, cmd, 0, sp);
    }

    @Override
    public Mono<Long> getRowsUpdated() {
        if (eager != null) {
            long sum = 0;
            boolean counted = false;
            for (Segment s : eager) {
                if (s instanceof UpdateCount u) {
                    sum += u.value();
                    counted = true;
                } else if (s instanceof MessageImpl m && m.error()) {
                    return Mono.error(m.exception());
                }
            }
            return counted ? Mono.just(sum) : Mono.empty();
        }
        return segments.<Long>handle((s, sink) -> {
            if (s instanceof UpdateCount u) {
                sink.next(u.value());
            } else if (s instanceof MessageImpl m && m.error()) {
                sink.error(m.exception());
            }
        }).reduce(Long::sum);
    }

    @Override
    public <T> Flux<T> map(BiFunction<Row, RowMetadata, ? extends T> mappingFunction) {
        if (mappingFunction == null) {
            throw new IllegalArgumentException("mappingFunction must not be null");
        }
        if (eager != null) {
            return new MappedRows<>(eager, mappingFunction);
        }
        return segments.handle((s, sink) -> {
            if (s instanceof RowSegment r) {
                T v = mappingFunction.apply(r.row(), r.row().getMetadata());
                if (v == null) {
                    sink.error(MappedRows.nullMapped());
                    return;
                }
                sink.next(v);
            } else if (s instanceof MessageImpl m && m.error()) {
                sink.error(m.exception());
            }
        });
    }

    @Override
    public Result filter(Predicate<Segment> filter) {
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null");
        }
        return new TuskResult(segments().filter(filter));
    }

    @Override
    public <T> Flux<T> flatMap(Function<Segment, ? extends Publisher<? extends T>> mappingFunction) {
        if (mappingFunction == null) {
            throw new IllegalArgumentException("mappingFunction must not be null");
        }
        return segments().concatMap(s -> {
            Publisher<? extends T> p = mappingFunction.apply(s);
            return p == null ? Flux.empty() : Flux.from(p);
        });
    }
}
