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
            }
        }
    }
}
