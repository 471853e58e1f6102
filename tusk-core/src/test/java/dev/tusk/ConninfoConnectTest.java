package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@TuskTest
class ConninfoConnectTest {

    @Test
    void connectsWithAUri(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.uri())) {
            assertThat(conn.info().port()).isEqualTo(db.port());
            assertThat(conn.info().dbname()).isEqualTo(db.dbname());
            assertThat(conn.info().dsn()).doesNotContain("password");
        }
    }

    @Test
    void triesTheNextHostWhenTheFirstRefuses(TestDatabase db) {
        Map<String, String> base = Conninfo.parse(db.conninfo());
        String conninfo = Conninfo.make(db.conninfo(), Map.of(
                "host", base.get("host") + "," + base.get("host"),
                "port", "1," + db.port()));
        try (Connection<Row> conn = Connection.connect(conninfo)) {
            assertThat(conn.info().port()).isEqualTo(db.port());
            assertThat(conn.info().host()).isEqualTo(base.get("host"));
        }
    }
}
