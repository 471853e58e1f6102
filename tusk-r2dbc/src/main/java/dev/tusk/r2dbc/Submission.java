package dev.tusk.r2dbc;

import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import io.r2dbc.spi.Result;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * One statement submitted on a {@link TuskConnection} (a statement, or a statement's batch of bindings): Tusk's
 * future for its answer, and (as a function of that future's outcome, called once when it completes) the R2DBC
 * Results it becomes, which never fails: an error is the Result's error segment. {@link TuskConnection#submit}
 * fills it in; {@link StatementResults}' subscription is one, so that a statement costs one object for both.
 */
class Submission implements BiFunction<AsyncCursor<Row>, Throwable, List<Result>> {
    final TuskConnection connection;
    final String text;
    /** Tusk's answer; set by the connection once the statement is submitted (on the submitting thread). */
    CompletableFuture<AsyncCursor<Row>> future;
    /** The statement's number on its connection; set before it is submitted. */
    long seq;
    /** The cursor to keep for the next statement once read, or null; set before it is submitted. */
    AsyncCursor<Row> cursor;
    /** Whether {@link #cursor} is a raw cursor (extended protocol). */
    boolean raw;

    Submission(TuskConnection connection, String text) {
        this.connection = connection;
        this.text = text;
    }

    @Override
    public List<Result> apply(AsyncCursor<Row> c, Throwable err) {
        return connection.answered(this, c, err);
    }
}
