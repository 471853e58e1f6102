package dev.tusk.internal.rows;

import java.util.Iterator;

/**
 * The rows of a running statement read as they are consumed ({@code Cursor.stream}'s rows), without the
 * {@code java.util.stream.Stream} around them: for a driver that reads them one by one (tusk-jdbc's live result
 * set). {@link #close()} is the stream's close: the statement ends (cancelled unless its rows had all arrived).
 * Once closed, its consumer never calls it again: the cursor that made it may reuse it for its next stream.
 */
public interface LiveRows<R> extends Iterator<R>, AutoCloseable {
    @Override
    void close();
}
