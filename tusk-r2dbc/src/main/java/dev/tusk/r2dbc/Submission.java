package dev.tusk.r2dbc;

import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import io.r2dbc.spi.Result;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One statement submitted on a {@link TuskConnection} (a statement, or a statement's batch of bindings) and what
 * becomes of its answer: Tusk hands the outcome to {@link #accept} (on its event loop, without a future), the
 * connection turns it into R2DBC Results, which never fail (an error is the Result's error segment), and
 * {@link #answer} takes them. {@link StatementResults}' subscription is one, so that a statement costs one object
 * for both.
 */
abstract class Submission implements BiConsumer<AsyncCursor<?>, Throwable> {
    final TuskConnection connection;
    final String text;
    /** The statement's number on its connection; set before it is submitted. */
    long seq;
    /** The cursor to keep for the next statement once read, or null; set before it is submitted. */
    AsyncCursor<Row> cursor;
    /** Whether {@link #cursor} is a raw cursor (extended protocol). */
    boolean raw;
    /** Set first thing once Tusk answered: a cancel request written from then on would stop a later statement. */
    volatile boolean answered;

    Submission(TuskConnection connection, String text) {
        this.connection = connection;
        this.text = text;
    }

    /** Tusk's answer: the cursor with the statement's results, or its error. Once. */
    @Override
    @SuppressWarnings("unchecked")
    public final void accept(AsyncCursor<?> c, Throwable err) {
        answered = true;
        List<Result> r;
        Throwable bug = null;
        try {
            r = connection.answered(this, (AsyncCursor<Row>) c, err);
        } catch (Throwable x) { // a bug turning the outcome into Results: the subscriber is told, not left waiting
            bug = Errors.unwrap(x);
            r = List.of();
        }
        answer(r, bug);
    }

    /** The statement's Results ({@code bug}: a failure turning its outcome into them, else null). */
    abstract void answer(List<Result> results, Throwable bug);

    /** A submission whose Results complete a future. */
    static final class Future extends Submission {
        final CompletableFuture<List<Result>> results = new CompletableFuture<>();

        Future(TuskConnection connection, String text) {
            super(connection, text);
        }

        @Override
        void answer(List<Result> r, Throwable bug) {
            if (bug != null) {
                results.completeExceptionally(bug);
            } else {
                results.complete(r);
            }
        }
    }
}
