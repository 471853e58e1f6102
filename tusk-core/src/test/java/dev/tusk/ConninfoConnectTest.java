package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Connecting with a URI and with several hosts, on both drivers. */
@TuskTest
class ConninfoConnectTest {

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void connectsWithAUri(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(ConnectOptions.of(db.uri()))) {
            assertThat(conn.info().port()).isEqualTo(db.port());
            assertThat(conn.info().dbname()).isEqualTo(db.dbname());
            assertThat(conn.info().dsn()).doesNotContain("password");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void triesTheNextHostWhenTheFirstRefuses(Flavour flavour, TestDatabase db) {
        Map<String, String> base = Conninfo.parse(db.conninfo());
        String conninfo = Conninfo.make(db.conninfo(), Map.of(
                "host", base.get("host") + "," + base.get("host"),
                "port", "1," + db.port()));
        try (Flavour.Session conn = flavour.open(ConnectOptions.of(conninfo))) {
            assertThat(conn.info().port()).isEqualTo(db.port());
            assertThat(conn.info().host()).isEqualTo(base.get("host"));
        }
    }
}
