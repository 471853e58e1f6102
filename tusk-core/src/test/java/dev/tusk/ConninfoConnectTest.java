package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Connection strings of every form reaching a real server. */
@TuskTest
class ConninfoConnectTest {
    @Test
    void aUriConnects(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.uri())) {
            assertThat(conn.info().dbname()).isEqualTo(db.dbname());
            assertThat(conn.info().dsn()).contains("dbname=" + db.dbname());
        }
    }

    @Test
    void theNextHostIsTriedWhenTheFirstIsDown(TestDatabase db) {
        String ci = "host=127.0.0.1,127.0.0.1 port=1," + db.port() + " user=" + db.superuser() + " dbname=" + db.dbname()
                + " sslmode=disable connect_timeout=5";
        try (Connection<Row> conn = Connection.connect(ci)) {
            assertThat(conn.info().port()).isEqualTo(db.port());
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void quotedValuesReachTheServer(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo() + " application_name='it\\'s a \\\\ test'"
                + " options='-c search_path=pg_catalog -c work_mem=5MB'")) {
            assertThat(conn.execute("SELECT current_setting('application_name'), current_setting('work_mem')").fetchone())
                    .satisfies(r -> {
                        assertThat(r.getString(0)).isEqualTo("it's a \\ test");
                        assertThat(r.getString(1)).isEqualTo("5MB");
                    });
        }
    }
}
