package dev.tusk.examples;

import dev.tusk.Connection;
import dev.tusk.ConnectOptions;
import dev.tusk.ConnectionInfo;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.errors.TuskException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.util.List;
import java.util.Map;

/**
 * A walk through what Tusk does, printing each step.
 *
 * <p>Connects to the server named by the first argument (a conninfo string) or by the {@code PG*}
 * environment variables; when neither is given it starts an embedded PostgreSQL for the tour.
 */
public final class QuickTour {
    private QuickTour() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedPostgres embedded = null;
        String conninfo;
        if (args.length > 0) {
            conninfo = args[0];
        } else if (System.getenv().keySet().stream().anyMatch(k -> k.startsWith("PG"))) {
            conninfo = ""; // libpq's environment variables decide
        } else {
            step("No conninfo argument and no PG* variables: starting an embedded PostgreSQL");
            embedded = EmbeddedPostgres.builder().start();
            conninfo = "host=127.0.0.1 port=" + embedded.getPort() + " user=postgres dbname=postgres";
        }
        try {
            tour(conninfo);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static void tour(String conninfo) {
        step("Connecting: Connection.connect(\"" + conninfo + "\")");
        long t0 = System.nanoTime();
        try (Connection<Row> conn = Connection.connect(conninfo)) {
            ConnectionInfo info = conn.info();
            say("connected in %.1f ms to PostgreSQL %d, backend pid %d, time zone %s, dsn \"%s\"",
                    (System.nanoTime() - t0) / 1e6, info.serverVersion(), info.backendPid(), info.timezone(), info.dsn());

            step("A query with psycopg-style placeholders; the values travel separately from the SQL");
            Row r = conn.execute("SELECT %s::int + 1 AS answer, upper(%s) AS shout", 41, "hello").fetchone();
            say("%s -> answer=%d shout=%s", r, r.getInt("answer"), r.getString("shout"));

            step("Transactions: autocommit is off, the first statement opens one");
            conn.execute("CREATE TEMP TABLE tour (id serial PRIMARY KEY, name text NOT NULL)");
            conn.execute("INSERT INTO tour (name) VALUES (%s), (%s)", "Alice", "Bob");
            say("status inside: %s", conn.info().transactionStatus());
            conn.commit();
            say("status after commit: %s", conn.info().transactionStatus());

            step("Cursors: fetchone, fetchmany, iteration, rowcount, description");
            Cursor<Row> cur = conn.execute("SELECT id, name FROM tour ORDER BY id");
            say("rowcount=%d, columns=%s", cur.rowcount(), cur.description());
            for (Row row : cur) {
                say("  id=%d name=%s", row.getLong(0), row.getString(1));
            }

            step("Row factories: rows as maps or as records");
            List<Map<String, Object>> maps = conn.cursor(Rows.dict()).execute("SELECT id, name FROM tour ORDER BY id").fetchall();
            say("dict rows: %s", maps);
            List<Person> people = conn.cursor(Rows.classRow(Person.class)).execute("SELECT id, name FROM tour ORDER BY id").fetchall();
            say("record rows: %s", people);

            step("Errors: the SQLSTATE decides the exception class");
            try {
                conn.execute("INSERT INTO tour (id, name) VALUES (%s, %s)", 1, "Again");
            } catch (TuskException e) {
                say("%s [%s]: %s", e.getClass().getSimpleName(), e.sqlstate(), e.getMessage().lines().findFirst().orElse(""));
                say("transaction status after the error: %s; rolling back", conn.info().transactionStatus());
                conn.rollback();
            }

            step("Several statements at once, without parameters, with the simple protocol");
            Cursor<Row> multi = conn.execute("SELECT 1; SELECT 2, 3");
            do {
                say("result: %s", multi.fetchall());
            } while (multi.nextset());
        }
        try (Connection<Map<String, Object>> conn = Connection.connect(
                ConnectOptions.builder().conninfo(conninfo).autocommit(true).rowFactory(Rows.dict()).build())) {
            step("ConnectOptions: autocommit and a dict row factory for the whole connection");
            say("%s", conn.execute("SELECT current_user AS who, now() AS at").fetchone());
        }
        step("Done: every connection closed");
    }

    /** A record filled by Rows.classRow, matching components to columns by name. */
    public record Person(long id, String name) {
    }

    private static void step(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private static void say(String fmt, Object... args) {
        System.out.println("   " + String.format(fmt, args));
    }
}
