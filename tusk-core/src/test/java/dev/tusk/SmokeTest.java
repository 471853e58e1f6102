package dev.tusk;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String ci = "host=127.0.0.1 port=" + pg.getPort() + " user=postgres dbname=postgres sslmode=disable";
            long t0 = System.nanoTime();
            try (Connection<Row> c = Connection.connect(ci)) {
                Row r = c.execute("SELECT 1 AS one, 'x' AS s").fetchone();
                System.out.println("connect+select: " + (System.nanoTime() - t0) / 1e6 + " ms " + r);
                assertThat(r.getInt(0)).isEqualTo(1);
                assertThat(c.execute("SELECT %s::int + 1, %s", 41, "hello").fetchone().getInt(0)).isEqualTo(42);
                List<Row> rows = c.execute("SELECT generate_series(1, 1000) AS n").fetchall();
                assertThat(rows).hasSize(1000);
                assertThat(c.info().serverVersion()).isGreaterThan(130000);
                c.commit();
                c.setAutocommit(true);
                c.execute("CREATE TABLE t (a int, b text)");
                java.util.List<Object> sets = new java.util.ArrayList<>();
                for (int i = 0; i < 10000; i++) sets.add(java.util.List.of(i, "v" + i));
                long t1 = System.nanoTime();
                Cursor<Row> cur = c.cursor().executemany("INSERT INTO t VALUES (%s, %s)", sets);
                System.out.println("executemany 10k: " + (System.nanoTime() - t1) / 1e6 + " ms rowcount " + cur.rowcount());
                assertThat(cur.rowcount()).isEqualTo(10000);
                for (int i = 0; i < 7; i++) {
                    c.execute("SELECT %s::int", i);
                    long n = c.execute("SELECT count(*) FROM pg_prepared_statements").fetchone().getLong(0);
                    System.out.println("exec " + (i + 1) + " prepared=" + n);
                }
                assertThat(c.execute("SELECT count(*) FROM t").fetchone().getLong(0)).isEqualTo(10000);
                long t2 = System.nanoTime();
                long[] sum = {0, 0};
                try (var s = c.cursor().stream("SELECT g, repeat('x', 100) FROM generate_series(1, %s) g", 1_000_000)) {
                    s.forEach(x -> { sum[0] += x.getLong(0); sum[1]++; });
                }
                System.out.println("stream 1M: " + (System.nanoTime() - t2) / 1e6 + " ms");
                assertThat(sum[1]).isEqualTo(1_000_000);
                assertThat(sum[0]).isEqualTo(500000500000L);
                try (var s = c.cursor().stream("SELECT g FROM generate_series(1, 100000) g")) {
                    assertThat(s.limit(5).count()).isEqualTo(5);
                }
                assertThat(c.execute("SELECT 7").fetchone().getInt(0)).isEqualTo(7);
                Cursor<Row> a, b, bad, after;
                try (Pipeline p = c.pipeline()) {
                    a = c.execute("SELECT %s::int", 1);
                    b = c.execute("SELECT 2");
                    assertThat(c.info().pipelineStatus()).isEqualTo(PipelineStatus.ON);
                    p.sync();
                    assertThat(a.fetchone().getInt(0)).isEqualTo(1);
                    assertThat(b.fetchone().getInt(0)).isEqualTo(2);
                    bad = c.execute("SELECT 1/0");
                    after = c.execute("SELECT 3");
                    org.assertj.core.api.Assertions.assertThatThrownBy(p::sync).hasMessageContaining("division by zero");
                }
                org.assertj.core.api.Assertions.assertThatThrownBy(after::fetchone).hasMessageContaining("pipeline aborted");
                assertThat(c.execute("SELECT 8").fetchone().getInt(0)).isEqualTo(8);
                c.execute("CREATE TABLE cp (a int, b text)");
                long t3 = System.nanoTime();
                try (Copy cp = c.cursor().copy("COPY cp FROM STDIN")) {
                    for (int i = 0; i < 1_000_000; i++) cp.writeRow(i, "row\t" + i);
                }
                System.out.println("copy in 1M: " + (System.nanoTime() - t3) / 1e6 + " ms");
                assertThat(c.execute("SELECT count(*), max(b) FROM cp").fetchone().getLong(0)).isEqualTo(1_000_000);
                long t4 = System.nanoTime();
                long n = 0;
                try (Copy cp = c.cursor().copy("COPY cp TO STDOUT")) {
                    for (var row : cp.rows()) { n++; if (n == 1) assertThat(row.get(1)).isEqualTo("row\t0"); }
                }
                System.out.println("copy out 1M: " + (System.nanoTime() - t4) / 1e6 + " ms");
                assertThat(n).isEqualTo(1_000_000);
                try (Copy cp = c.cursor().copy("COPY cp FROM STDIN")) {
                    cp.write("1\tok\n");
                    cp.write("oops\tbad\n");
                } catch (dev.tusk.errors.DataException e) {
                    System.out.println("bad copy: " + e.getMessage());
                }
                assertThat(c.execute("SELECT count(*) FROM cp").fetchone().getLong(0)).isEqualTo(1_000_000);
            }
        }
    }
}
