package dev.tusk.jdbc.internal;

import java.sql.SQLException;
import java.sql.Savepoint;

/** A savepoint: named by the application, or numbered by the driver ({@code JDBC_SAVEPOINT_n}). */
final class JdbcSavepoint implements Savepoint {
    private final int id;
    private final String name;

    JdbcSavepoint(int id, String name) {
        this.id = id;
        this.name = name;
    }

    static JdbcSavepoint of(Savepoint sp) throws SQLException {
        if (sp instanceof JdbcSavepoint s) {
            return s;
        }
        throw new SQLException("not a savepoint of this driver: " + sp, "3B001");
    }

    String sqlName() {
        String n = name != null ? name : "JDBC_SAVEPOINT_" + id;
        return "\"" + n.replace("\"", "\"\"") + "\"";
    }

    @Override
    public int getSavepointId() throws SQLException {
        if (name != null) {
            throw new SQLException("a named savepoint has no id", "3B000");
        }
        return id;
    }

    @Override
    public String getSavepointName() throws SQLException {
        if (name == null) {
            throw new SQLException("an unnamed savepoint has no name", "3B000");
        }
        return name;
    }
}
