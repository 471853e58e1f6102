package dev.tusk.internal.connect;

import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * libpq's {@code target_session_attrs} check of a new session: whether the server is a hot standby and
 * whether its sessions are read-only, from the {@code in_hot_standby} and
 * {@code default_transaction_read_only} parameters PostgreSQL 14+ reports, else by asking.
 */
final class SessionAttributes {
    private static final String STANDBY = "in_hot_standby";
    private static final String STANDBY_QUERY = "SELECT CASE WHEN pg_is_in_recovery() THEN 'on' ELSE 'off' END";
    private static final String READ_ONLY = "default_transaction_read_only";
    private static final String READ_ONLY_QUERY = "SHOW transaction_read_only";

    private SessionAttributes() {
    }

    /** Null when the session suits {@code wanted}, else why not. */
    static String mismatch(BlockingDriver driver, String wanted) {
        if (wanted.equals("any")) {
            return null;
        }
        boolean standby = "on".equals(parameter(driver, STANDBY, STANDBY_QUERY));
        boolean readOnly = standby || "on".equals(parameter(driver, READ_ONLY, READ_ONLY_QUERY));
        return mismatch(standby, readOnly, wanted);
    }

    /** As {@link #mismatch(BlockingDriver, String)} on an event loop; call on the driver's loop thread. */
    static CompletableFuture<String> mismatch(EventLoopDriver driver, String wanted) {
        if (wanted.equals("any")) {
            return CompletableFuture.completedFuture(null);
        }
        return parameter(driver, STANDBY, STANDBY_QUERY).thenCompose(s -> "on".equals(s)
                ? CompletableFuture.completedFuture(mismatch(true, true, wanted))
                : parameter(driver, READ_ONLY, READ_ONLY_QUERY).thenApply(r -> mismatch(false, "on".equals(r), wanted)));
    }

    private static String mismatch(boolean standby, boolean readOnly, String wanted) {
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
        return firstValue(q);
    }

    private static CompletableFuture<String> parameter(EventLoopDriver driver, String name, String query) {
        String reported = driver.core().session().parameter(name);
        if (reported != null) {
            return CompletableFuture.completedFuture(reported);
        }
        LoopFuture<String> answer = new LoopFuture<>();
        QueryCommand q = new SimpleQuery(query);
        q.onComplete(() -> {
            if (q.error() != null) {
                answer.completeExceptionally(q.error());
            } else {
                answer.complete(firstValue(q));
            }
        });
        driver.send(q);
        return answer;
    }

    private static String firstValue(QueryCommand q) {
        ResultData r = q.results().get(0);
        return new String(r.data(), r.offset(0, 0), r.length(0, 0), StandardCharsets.UTF_8);
    }
}
