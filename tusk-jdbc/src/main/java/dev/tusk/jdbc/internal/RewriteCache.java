package dev.tusk.jdbc.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statements a connection rewrote, by kind (prepared, plain with escapes, plain without) and JDBC text: an
 * application preparing the same SQL again (JdbcTemplate, jOOQ, an ORM) or running the same plain statement again
 * does not parse it again. At most {@link #CAPACITY} texts per kind (all dropped when one more comes); texts longer
 * than {@link #MAX_LENGTH} characters are not kept (scripts run once).
 */
final class RewriteCache {
    static final int CAPACITY = 256;
    static final int MAX_LENGTH = 8192;

    @SuppressWarnings("unchecked")
    private final Map<String, SqlRewriter.Result>[] byKind = new Map[] {
            new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>()};

    /** The rewrite of {@code sql} of this kind (0: prepared, 1: plain with escapes, 2: plain without), or null. */
    SqlRewriter.Result get(int kind, String sql) {
        return sql.length() > MAX_LENGTH ? null : byKind[kind].get(sql);
    }

    void put(int kind, String sql, SqlRewriter.Result r) {
        if (sql.length() > MAX_LENGTH) {
            return;
        }
        Map<String, SqlRewriter.Result> m = byKind[kind];
        if (m.size() >= CAPACITY) {
            m.clear();
        }
        m.put(sql, r);
    }
}
