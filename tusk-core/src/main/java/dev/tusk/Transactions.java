package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.SimpleQuery;

/**
 * The transaction rules of one connection, as psycopg: outside autocommit the first statement opens a
 * transaction with the characteristics set on the connection; they cannot change while one is open.
 */
final class Transactions {
    private final Connection<?> conn;
    private volatile boolean autocommit;
    private volatile IsolationLevel isolationLevel;
    private volatile Boolean readOnly;
    private volatile Boolean deferrable;

    Transactions(Connection<?> conn, boolean autocommit) {
        this.conn = conn;
        this.autocommit = autocommit;
    }

    /** The BEGIN to send before the next statement, or null when none is needed. Lock held. */
    SimpleQuery beginIfNeeded() {
        if (autocommit || conn.driver().core().session().transactionStatus() != 'I') {
            return null;
        }
        return new SimpleQuery(beginStatement(isolationLevel, readOnly, deferrable));
    }

    String beginSql() {
        return beginStatement(isolationLevel, readOnly, deferrable);
    }

    static String beginStatement(IsolationLevel level, Boolean readOnly, Boolean deferrable) {
        StringBuilder sb = new StringBuilder("BEGIN");
        if (level != null) {
            sb.append(" ISOLATION LEVEL ").append(level.sql());
        }
        if (readOnly != null) {
            sb.append(readOnly ? " READ ONLY" : " READ WRITE");
        }
        if (deferrable != null) {
            sb.append(deferrable ? " DEFERRABLE" : " NOT DEFERRABLE");
        }
        return sb.toString();
    }

    void commit() {
        endTransaction("COMMIT");
    }

    void rollback() {
        endTransaction("ROLLBACK");
    }

    private void endTransaction(String sql) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.syncPipelineIfAny();
            if (conn.driver().core().session().transactionStatus() == 'I') {
                return;
            }
            conn.runInternal(sql);
        } finally {
            conn.lock.unlock();
        }
    }

    boolean autocommit() {
        return autocommit;
    }

    void setAutocommit(boolean on) {
        checkIdle("autocommit");
        autocommit = on;
    }

    IsolationLevel isolationLevel() {
        return isolationLevel;
    }

    void setIsolationLevel(IsolationLevel level) {
        checkIdle("isolation_level");
        isolationLevel = level;
    }

    Boolean readOnly() {
        return readOnly;
    }

    void setReadOnly(Boolean on) {
        checkIdle("read_only");
        readOnly = on;
    }

    Boolean deferrable() {
        return deferrable;
    }

    void setDeferrable(Boolean on) {
        checkIdle("deferrable");
        deferrable = on;
    }

    private void checkIdle(String attribute) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            char s = conn.driver().core().session().transactionStatus();
            if (s != 'I') {
                throw new ProgrammingException("can't change '" + attribute + "' now: connection in transaction status "
                        + (s == 'E' ? "INERROR" : "INTRANS") + "; commit or roll back first");
            }
        } finally {
            conn.lock.unlock();
        }
    }
}
