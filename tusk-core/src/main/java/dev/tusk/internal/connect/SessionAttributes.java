package dev.tusk.internal.connect;

import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.io.BlockingDriver;

import java.nio.charset.StandardCharsets;

/**
 * libpq's {@code target_session_attrs} check of a new session: whether the server is a hot standby and
 * whether its sessions are read-only, from the {@code in_hot_standby} and
 * {@code default_transaction_read_only} parameters PostgreSQL 14+ reports, else by asking.
 */
final class SessionAttributes {
    private SessionAttributes() {
    }

    /** Null when the session suits {@code wanted}, else why not. */
    static String mismatch(BlockingDriver driver, String wanted) {
        if (wanted.equals("any")) {
            return null;
        }
        boolean standby = "on".equals(parameter(driver, "in_hot_standby", "SELECT CASE WHEN pg_is_in_recovery() THEN 'on' ELSE 'off' END"));
        boolean readOnly = standby || "on".equals(parameter(driver, "default_transaction_read_only", "SHOW transaction_read_only"));
        return switch (wanted) {
            case "read-write" -> readOnly ? "session is read-only" : null;
            case "read-only" -> readOnly ? null : "session is not read-only";
            case "primary" -> standby ? "server is in hot standby mode" : null;
            case "standby", "prefer-standby" -> standby ? null : "server is not in hot standby mode";
            default -> null;
        };
    }

    private static String parameter(BlockingDriver driver, String name, String query) {
        String reported = driver.core().session().parameter(name);
        if (reported != null) {
            return reported;
        }
        QueryCommand q = new SimpleQuery(query);
        driver.run(q);
        q.throwIfFailed();
        ResultData r = q.results().get(0);
        return new String(r.data(), r.offset(0, 0), r.length(0, 0), StandardCharsets.UTF_8);
    }
}
