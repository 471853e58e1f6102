package dev.tusk.examples;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncPipeline;
import dev.tusk.AsyncCursor;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ConnectionInfo;
import dev.tusk.Copy;
import dev.tusk.Cursor;
import dev.tusk.ExecuteOptions;
import dev.tusk.Pipeline;
import dev.tusk.Rollback;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.errors.TuskException;
import dev.tusk.sql.Composed;
import dev.tusk.sql.Identifier;
import dev.tusk.sql.SQL;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

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
        try (Connection<Row> conn = Connection.connect(conninfo)) {
            transactionBlocks(conn);
            bulk(conn);
            typesAndComposition(conn);
            notificationsAndTimeouts(conn, conninfo);
        }
        asyncTour(conninfo);
        poolTour(conninfo);
        step("Done: every connection closed");
    }

    private static void transactionBlocks(Connection<Row> conn) {
        step("Transaction blocks: commit when the body returns, roll back when it throws; nested blocks are savepoints");
        conn.execute("CREATE TEMP TABLE account (name text PRIMARY KEY, balance numeric NOT NULL)");
        conn.commit();
        conn.transaction(tx -> {
            conn.execute("INSERT INTO account VALUES (%s, %s), (%s, %s)", "alice", 100, "bob", 0);
            try {
                conn.transaction(inner -> {
                    conn.execute("UPDATE account SET balance = balance - 500 WHERE name = %s", "alice");
                    throw new Rollback(); // the inner block is rolled back quietly, the outer one goes on
                });
            } catch (Rollback unreachable) {
                throw new IllegalStateException(unreachable);
            }
            return null;
        });
        say("after the blocks: %s", conn.cursor(Rows.dict()).execute("SELECT * FROM account ORDER BY name").fetchall());
        conn.commit();
    }

    private static void bulk(Connection<Row> conn) {
        step("executemany: 10,000 rows in one round trip");
        conn.execute("CREATE TEMP TABLE item (id int PRIMARY KEY, label text)");
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rows.add(new Object[] {i, "item " + i});
        }
        long t0 = System.nanoTime();
        conn.cursor().executemany("INSERT INTO item VALUES (%s, %s)", rows);
        conn.commit();
        say("inserted %d rows in %.1f ms", conn.execute("SELECT count(*) FROM item").fetchone().getLong(0),
                (System.nanoTime() - t0) / 1e6);

        step("COPY: rows in and out as a stream");
        try (Copy copy = conn.cursor().copy("COPY item (id, label) FROM STDIN")) {
            for (int i = 10_000; i < 10_005; i++) {
                copy.writeRow(i, "copied " + i);
            }
            copy.finish();                  // CopyDone: without it, close() sends CopyFail
        }
        try (Copy copy = conn.cursor().copy("COPY (SELECT * FROM item WHERE id >= 10000 ORDER BY id) TO STDOUT")) {
            for (List<String> row : copy.rows()) {
                say("  %s", row);
            }
        }
        conn.commit();

        step("Streaming: a large result row by row in bounded memory");
        try (Stream<Row> stream = conn.cursor().stream("SELECT g, md5(g::text) FROM generate_series(1, 200000) g")) {
            say("summed %d values without loading them all", stream.mapToLong(row -> row.getLong(0)).sum());
        }

        step("Pipeline: statements sent without waiting, results read later (one round trip)");
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> a = conn.execute("SELECT count(*) FROM item");
            Cursor<Row> b = conn.execute("SELECT max(id) FROM item");
            p.sync();
            say("count=%d max=%d", a.fetchone().getLong(0), b.fetchone().getLong(0));
        }
        conn.commit();
    }

    private static void typesAndComposition(Connection<Row> conn) {
        step("Types: Java values in, Java values out (text or binary, chosen per type)");
        Row r = conn.execute("SELECT %s::uuid, %s::timestamptz, %s::int[], %s::numeric * 2, %s::date",
                UUID.fromString("0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f"), OffsetDateTime.parse("2026-11-24T09:30:00Z"),
                List.of(1, 2, 3), new BigDecimal("21.5"), LocalDate.of(2026, 11, 24)).fetchone();
        for (int i = 0; i < 5; i++) {
            Object v = r.get(i);
            say("  %-28s %s", v.getClass().getSimpleName(), v);
        }

        step("SQL composition: identifiers and literals quoted by the driver, never by string concatenation");
        Composed q = new SQL("SELECT {} FROM {} WHERE {} = %s").format(
                new Identifier("label"), new Identifier("item"), new Identifier("id"));
        say("%s -> %s", q.asString(conn), conn.execute(q, 42).fetchone().getString(0));
        conn.rollback();

        step("Server state: settings and session parameters");
        say("work_mem=%s, server_version=%s, TimeZone=%s", conn.settings().show("work_mem"),
                conn.info().parameterStatus("server_version"), conn.info().timezone());
    }

    private static void notificationsAndTimeouts(Connection<Row> conn, String conninfo) {
        step("LISTEN/NOTIFY: notifications from another connection");
        conn.rollback(); // end the transaction the settings query opened, then switch to autocommit
        conn.setAutocommit(true);
        conn.execute("LISTEN tour_events");
        try (Connection<Row> other = Connection.connect(conninfo)) {
            other.execute("SELECT pg_notify('tour_events', %s)", "hello from another session");
            other.commit();
        }
        conn.notifies(Duration.ofSeconds(5), 1).forEach(n -> say("%s", n));

        step("Statement timeout on the client side: the statement is cancelled and says why");
        try {
            conn.execute("SELECT pg_sleep(10)", List.of(), ExecuteOptions.builder().timeout(Duration.ofMillis(200)).build());
        } catch (QueryCanceled e) {
            say("%s: %s", e.getClass().getSimpleName(), e.getMessage().lines().findFirst().orElse(""));
        }
        say("the connection is still usable: %d", conn.execute("SELECT 1").fetchone().getInt(0));
    }

    private static void asyncTour(String conninfo) {
        step("AsyncConnection: the same driver without blocking; concurrent statements are pipelined");
        try (AsyncConnection<Row> conn = AsyncConnection.connect(conninfo).join()) {
            List<CompletableFuture<AsyncCursor<Row>>> pending = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                pending.add(conn.execute("SELECT %s::int * %s::int", i, i));
            }
            List<Integer> squares = pending.stream().map(f -> f.join().fetchone().getInt(0)).toList();
            say("five queries in flight at once: %s", squares);

            conn.execute("CREATE TEMP TABLE tour_async (n int PRIMARY KEY, label text)").join();
            long copied = conn.cursor().copy("COPY tour_async FROM STDIN").thenCompose(copy -> {
                for (int i = 1; i <= 1000; i++) {
                    copy.writeRow(i, "row " + i);
                }
                return copy.finish();
            }).join();
            say("COPY FROM STDIN without blocking: %d rows", copied);

            AsyncPipeline p = conn.pipeline();
            CompletableFuture<AsyncCursor<Row>> dup = conn.execute("INSERT INTO tour_async VALUES (%s, %s)", 1, "again");
            CompletableFuture<AsyncCursor<Row>> skipped = conn.execute("INSERT INTO tour_async VALUES (%s, %s)", 1001, "x");
            p.closeAsync().exceptionally(e -> null).join();
            say("in a pipeline block, an error skips the rest until the Sync: %s / %s",
                    failureName(dup), failureName(skipped));
        }
    }

    private static String failureName(CompletableFuture<?> f) {
        return f.handle((v, e) -> e == null ? "ok"
                : (e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e)
                        .getClass().getSimpleName()).join();
    }

    private static void poolTour(String conninfo) {
        step("ConnectionPool: leases whose close() gives the connection back; withConnection commits");
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(conninfo).minSize(2).maxSize(4).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(10));
            long sum = 0;
            for (int i = 0; i < 100; i++) {
                int n = i;
                sum += pool.withConnection(conn -> conn.execute("SELECT %s::int", n).fetchone().getInt(0));
            }
            say("100 leases, sum %d; pool stats: %s", sum, pool.getStats());
        }
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
