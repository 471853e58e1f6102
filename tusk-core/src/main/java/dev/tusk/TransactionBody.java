package dev.tusk;

/**
 * The body of a {@link Connection#transaction(TransactionBody)} block: it may return a value and throw any
 * exception, which the block rethrows unchanged after rolling back.
 *
 * <pre>{@code
 * long id = conn.transaction(tx -> conn.execute("INSERT INTO t (v) VALUES (%s) RETURNING id", 1)
 *         .fetchone().getLong(0));
 * }</pre>
 *
 * @param <T> what the body returns
 * @param <E> the checked exception it may throw ({@code RuntimeException} when none)
 */
@FunctionalInterface
public interface TransactionBody<T, E extends Exception> {
    T run(Transaction tx) throws E;
}
