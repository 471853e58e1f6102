package dev.tusk.internal.rows;

/**
 * Marks a row factory (a {@code dev.tusk.RowFactory}) whose rows, taken from a stream, are used one at a time:
 * once the consumer asks the stream for a row, it reads no row but the one it got last. tusk-jdbc's live result
 * set is such a consumer (its getters read the current row only). A stream of such a factory writes the rows
 * still to come over the storage of the rows already passed, instead of allocating (and zeroing) fresh storage for
 * every chunk.
 */
public interface RowsNotKept {
}
