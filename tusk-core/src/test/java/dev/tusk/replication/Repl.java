package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Helpers of the replication tests. */
final class Repl {
    private Repl() {
    }

    static Connection<Row> sql(TestDatabase db) {
        Connection<Row> c = Connection.connect(db.conninfo());
        c.setAutocommit(true);
        return c;
    }

    /**
     * Drops the database of a test class: first waits for the walsenders that just lost their clients to let go
     * of their slots (a database with an active slot cannot be dropped), and drops the slots left.
     */
    static void drop(TestDatabase db) {
        try (Connection<Row> c = sql(db)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (c.execute("SELECT count(*) FROM pg_replication_slots WHERE database = current_database() AND active")
                    .fetchone().getLong(0) > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            c.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE database = current_database() AND NOT active");
        }
        db.close();
    }

    /** The first row of {@code sql} run on {@code c}. */
    static Row one(Connection<?> c, String sql) {
        return c.cursor(dev.tusk.Rows.row()).execute(sql).fetchone();
    }

    /** Reads until {@code stop} accepts a message (included), at most {@code within}. */
    static List<PgOutputMessage> readUntil(PgOutputStream s, Predicate<PgOutputMessage> stop, Duration within) {
        List<PgOutputMessage> out = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            PgOutputMessage m = s.read(Duration.ofMillis(200));
            if (m != null) {
                out.add(m);
                if (stop.test(m)) {
                    return out;
                }
            }
        }
        throw new AssertionError("no message ended the wait within " + within + "; got " + out);
    }

    /** The messages of the next {@code n} transactions (through each Commit). */
    static List<PgOutputMessage> transactions(PgOutputStream s, int n) {
        List<PgOutputMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(readUntil(s, m -> m instanceof PgOutputMessage.Commit, Duration.ofSeconds(20)));
        }
        return out;
    }

    static <T> List<T> only(List<PgOutputMessage> l, Class<T> type) {
        return l.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static String slotField(TestDatabase db, String slot, String column) {
        try (Connection<Row> c = sql(db)) {
            Row r = c.execute("SELECT " + column + "::text FROM pg_replication_slots WHERE slot_name = %s", slot).fetchone();
            return r == null ? null : r.getString(0);
        }
    }
}
