package dev.tusk.internal.connect;

import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SessionState;
import dev.tusk.internal.core.SimpleQuery;

import java.nio.charset.StandardCharsets;

/**
 * libpq's {@code target_session_attrs} check of a new session: whether the server is a hot standby and
 * whether its sessions are read-only, from the {@code in_hot_standby} and
 * {@code default_transaction_read_only} parameters PostgreSQL 14+ reports, else by asking. Without I/O: it
 * hands out the queries to run ({@link #next}) and decides once it knows enough ({@link #mismatch()}).
 */
final class SessionAttributes {
    private static final String STANDBY = "in_hot_standby";
    private static final String STANDBY_QUERY = "SELECT CASE WHEN pg_is_in_recovery() THEN 'on' ELSE 'off' END";
    private static final String READ_ONLY = "default_transaction_read_only";
    private static final String READ_ONLY_QUERY = "SHOW transaction_read_only";

    private final String wanted;
    /** null: not known yet. */
    private String standby;
    private String readOnly;
    /** The query asked last, its answer not read yet. */
    private QueryCommand asked;
    private String mismatch;

    SessionAttributes(String wanted) {
        this.wanted = wanted;
    }

    /**
     * The next query the driver must run for the check, or null once it is decided (then {@link #mismatch()}).
     * Call first with no query run, then after each query returned here has completed.
     *
     * @throws dev.tusk.errors.TuskException the error of the query just run
     */
    QueryCommand next(SessionState session) {
        if (asked != null) {
            asked.throwIfFailed();
            String answer = firstValue(asked);
            asked = null;
            if (standby == null) {
                standby = answer;
            } else {
                readOnly = answer;
            }
        }
        if (wanted.equals("any")) {
            return null;
        }
        if (standby == null) {
            standby = session.parameter(STANDBY);
            if (standby == null) {
                return asked = new SimpleQuery(STANDBY_QUERY);
            }
        }
        boolean isStandby = "on".equals(standby);
        if (!isStandby && readOnly == null) {
            readOnly = session.parameter(READ_ONLY);
            if (readOnly == null) {
                return asked = new SimpleQuery(READ_ONLY_QUERY);
            }
        }
        mismatch = mismatch(isStandby, isStandby || "on".equals(readOnly), wanted);
        return null;
    }

    /** Once {@link #next} returned null: null when the session suits the attributes wanted, else why not. */
    String mismatch() {
        return mismatch;
    }

    static String mismatch(boolean standby, boolean readOnly, String wanted) {
        return switch (wanted) {
            case "read-write" -> readOnly ? "session is read-only" : null;
            case "read-only" -> readOnly ? null : "session is not read-only";
            case "primary" -> standby ? "server is in hot standby mode" : null;
            case "standby", "prefer-standby" -> standby ? null : "server is not in hot standby mode";
            default -> null;
        };
    }

    private static String firstValue(QueryCommand q) {
        ResultData r = q.results().get(0);
        return new String(r.data(0), r.offset(0, 0), r.length(0, 0), StandardCharsets.UTF_8);
    }
}
