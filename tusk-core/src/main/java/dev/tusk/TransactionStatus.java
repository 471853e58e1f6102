package dev.tusk;

/** The transaction status, as libpq's PGTransactionStatusType (psycopg's {@code pq.TransactionStatus}). */
public enum TransactionStatus {
    /** No transaction open. */
    IDLE(0),
    /** A command is running. */
    ACTIVE(1),
    /** In a valid transaction block. */
    INTRANS(2),
    /** In a failed transaction block: only a rollback helps. */
    INERROR(3),
    /** The connection is bad. */
    UNKNOWN(4);

    private final int value;

    TransactionStatus(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
