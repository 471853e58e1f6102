package dev.tusk.jdbc.internal;

/** Internal signal: commit() found the transaction failed, so the server rolled it back. */
final class JdbcTransactionRolledBack extends Exception {
    private static final long serialVersionUID = 1L;

    JdbcTransactionRolledBack() {
        super(null, null, false, false);
    }
}
