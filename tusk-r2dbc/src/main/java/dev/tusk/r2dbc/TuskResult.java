package dev.tusk.r2dbc;

import dev.tusk.AsyncCursor;
import dev.tusk.Column;
import dev.tusk.errors.Diagnostic;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    private final List<Segment> eager;

    TuskResult(Flux<Segment> segments) {
        this.segments = segments;
        this.eager = null;
    }

    /** A result whose segments are all in memory: {@link #map} and {@link #getRowsUpdated} read them without operators. */
    TuskResult(List<Segment> segments) {
        this.segments = null;
        this.eager = segments;
    }

    private Flux<Segment> segments() {
        return segments != null ? segments : Flux.fromIterable(eager);
    }

    record RowSegmentImpl(Row row) implements RowSegment {
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
            Diagnostic d = e.getCause() instanceof dev.tusk.errors.TuskException te ? te.diag() : Diagnostic.EMPTY;
            return new MessageImpl(e, e.getErrorCode(), e.getSqlState(), e.getMessage(), true, d);
        }
    }

    /** The results of a completed statement: one per result set (several for a multi-statement text). */
    static List<Result> of(AsyncCursor<dev.tusk.Row> cur, List<Diagnostic> notices, TuskConnection connection) {
        List<Result> out = new ArrayList<>(1);
        List<Segment> first = new ArrayList<>();
        for (Diagnostic d : notices) {
            first.add(MessageImpl.notice(d));
        }
        List<Segment> segs = first;
        do {
            List<Column> cols = cur.description();
            if (cols != null) {
                TuskRowMetadata md = connection.metadataFor(cols);
                List<dev.tusk.Row> rows = cur.fetchall();
                if (segs == null) {
                    segs = new ArrayList<>(rows.size() + 1);
                }
                for (dev.tusk.Row r : rows) {
                    segs.add(new RowSegmentImpl(new TuskRow(r, md)));
                }
            } else if (segs == null) {
                segs = new ArrayList<>(1);
            }
            String tag = cur.statusmessage();
            if (tag != null && reportsCount(tag)) {
                segs.add(new UpdateCountImpl(Math.max(0, cur.rowcount())));
            }
            out.add(new TuskResult(segs));
            segs = null;
        } while (cur.nextset());
        return out;
    }

    /** A statement that failed: its notices, then its error. */
    static TuskResult failed(Throwable error, List<Diagnostic> notices) {
        List<Segment> segs = new ArrayList<>(notices.size() + 1);
        for (Diagnostic d : notices) {
            segs.add(MessageImpl.notice(d));
        }
        segs.add(MessageImpl.error(error));
        return new TuskResult(segs);
    }

    /** INSERT, UPDATE, DELETE, MERGE, COPY and the like; not SELECT (whose count is of rows returned, not affected). */
    private static boolean reportsCount(String tag) {
        int sp = tag.indexOf(' ');
        if (sp < 0) {
            return false;
        }
        String cmd = tag.substring(0, sp).toUpperCase(Locale.ROOT);
        if (cmd.equals("SELECT") || cmd.equals("FETCH") || cmd.equals("MOVE")) {
            return false;
        }
        char last = tag.charAt(tag.length() - 1);
        return last >= '0' && last <= '9';
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
