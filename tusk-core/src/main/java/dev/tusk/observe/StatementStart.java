package dev.tusk.observe;

import java.util.List;

/**
 * A statement about to be sent.
 *
 * @param facts      the connection
 * @param sql        the query text as sent, with placeholders as sent to the server ({@code $1}...), never with the parameter values
 *                   (a client-side cursor's statements, which merge the values into the text, are given as
 *                   the query the user wrote with its placeholders)
 * @param operation  the first keyword of the query in upper case ({@code SELECT}, {@code INSERT}...), or "" when
 *                   none
 * @param batchSize  the number of parameter sets of an executemany (1 for a single statement)
 * @param pipelined  whether the statement is queued in a pipeline
 * @param own        true for a statement the driver sends itself (COMMIT, ROLLBACK, SAVEPOINT...)
 * @param parameters the parameter values of the statement (of its first set for a batch), only when
 *                   {@link dev.tusk.ConnectOptions.Builder#observeParameters} is on; else null
 * @param startNanos {@link System#nanoTime()} when the statement was submitted
 */
public record StatementStart(ConnectionFacts facts, String sql, String operation, int batchSize, boolean pipelined,
                             boolean own, List<?> parameters, long startNanos) {
}
