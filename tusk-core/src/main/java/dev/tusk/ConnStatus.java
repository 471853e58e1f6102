package dev.tusk;

/** The connection's status, as libpq's ConnStatusType (psycopg's {@code pq.ConnStatus}). */
public enum ConnStatus {
    OK(0), BAD(1);

    private final int value;

    ConnStatus(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
