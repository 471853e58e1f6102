package dev.tusk;

/**
 * Thrown inside a {@link Connection#transaction(TransactionBody)} body to roll back quietly: psycopg's
 * {@code Rollback}. {@code new Rollback()} rolls back the innermost block, {@code new Rollback(tx)} every
 * block up to and including {@code tx}; the block it names swallows it, its {@code transaction(...)} call
 * returns null and the code after it goes on.
 *
 * <pre>{@code
 * conn.transaction(outer -> {
 *     conn.execute("INSERT INTO log VALUES ('kept')");
 *     conn.transaction(inner -> {
 *         conn.execute("INSERT INTO log VALUES ('dropped')");
 *         throw new Rollback();              // back to the savepoint; the outer block goes on
 *     });
 *     return null;
 * });
 * }</pre>
 *
 * <p>Naming a block that does not enclose the throw (ended, of another connection, or of the other driver), or
 * throwing it after its own block has ended, is a {@code ProgrammingException}: the same rule on both drivers. Like
 * psycopg's, it is not a database error (not a {@code TuskException}). In the resource form
 * ({@code try (Transaction tx = ...)}) there is no body to catch it: closing the block rolls back anyway, and the
 * exception goes on.
 */
public class Rollback extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Transaction transaction;
    private final transient AsyncTransaction<?> asyncTransaction;

    /** Rolls back the innermost transaction block. */
    public Rollback() {
        this((Transaction) null);
    }

    /** Rolls back every block up to and including {@code transaction}. */
    public Rollback(Transaction transaction) {
        super(transaction == null ? "rollback of the innermost transaction block"
                : "rollback up to transaction block " + transaction, null, false, false);
        this.transaction = transaction;
        this.asyncTransaction = null;
    }

    /** Rolls back every block of an AsyncConnection up to and including {@code transaction}. */
    public Rollback(AsyncTransaction<?> transaction) {
        super("rollback up to transaction block " + transaction, null, false, false);
        this.transaction = null;
        this.asyncTransaction = transaction;
    }

    /** The AsyncConnection block to unwind to, or null. */
    public AsyncTransaction<?> asyncTransaction() {
        return asyncTransaction;
    }

    /** The block to unwind to, or null for the innermost one. */
    public Transaction transaction() {
        return transaction;
    }

    /** The block it names, of either driver ({@code Transaction} or {@code AsyncTransaction}), or null: none. */
    Object named() {
        return transaction != null ? transaction : asyncTransaction;
    }
}
