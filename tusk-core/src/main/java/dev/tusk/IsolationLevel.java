package dev.tusk;

/** Transaction isolation levels, with psycopg's values. */
public enum IsolationLevel {
    READ_UNCOMMITTED(1, "READ UNCOMMITTED"),
    READ_COMMITTED(2, "READ COMMITTED"),
    REPEATABLE_READ(3, "REPEATABLE READ"),
    SERIALIZABLE(4, "SERIALIZABLE");

    private final int value;
    private final String sql;

    IsolationLevel(int value, String sql) {
        this.value = value;
        this.sql = sql;
    }

    public int value() {
        return value;
    }

    /** The words of {@code SET TRANSACTION ISOLATION LEVEL ...}. */
    public String sql() {
        return sql;
    }
}
