package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.EmbeddedPostgresServer;
import dev.tusk.testing.PostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Several hosts: target_session_attrs, load balancing, every address of a name, protocol 3.2; on both drivers. */
@TuskTest
@Timeout(120)
class MultiHostTest {
    private static String twoHosts(TestDatabase db, int first, int second) {
        return "host=127.0.0.1,127.0.0.1 port=" + first + "," + second + " user=" + db.superuser() + " dbname=postgres"
                + " sslmode=disable connect_timeout=5";
    }

    private static int portOf(Flavour flavour, String conninfo) {
        try (Flavour.Session c = flavour.open(ConnectOptions.of(conninfo))) {
            return c.info().port();
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void targetSessionAttrsPickTheRightServer(Flavour flavour, TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded(), "starts a second server");
        try (EmbeddedPostgresServer readOnly = PostgresServer.dedicated(b -> { })) {
            readOnly.admin("ALTER DATABASE postgres SET default_transaction_read_only = on");
            int rw = db.port();
            int ro = readOnly.port();
            assertThat(portOf(flavour, twoHosts(db, ro, rw) + " target_session_attrs=read-write")).isEqualTo(rw);
            assertThat(portOf(flavour, twoHosts(db, rw, ro) + " target_session_attrs=read-only")).isEqualTo(ro);
            assertThat(portOf(flavour, twoHosts(db, ro, rw) + " target_session_attrs=any")).isEqualTo(ro);
            assertThat(portOf(flavour, twoHosts(db, ro, rw) + " target_session_attrs=primary")).as("read-only is not a standby").isEqualTo(ro);
            assertThat(portOf(flavour, twoHosts(db, rw, ro) + " target_session_attrs=prefer-standby"))
                    .as("no standby anywhere: the first that answers").isEqualTo(rw);
            assertThatThrownBy(() -> portOf(flavour, twoHosts(db, rw, ro) + " target_session_attrs=standby"))
                    .isInstanceOf(OperationalException.class)
                    .hasMessageContaining("2 attempts").hasMessageContaining("not in hot standby mode")
                    .hasMessageContaining("port " + rw).hasMessageContaining("port " + ro);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theFinalErrorListsEveryAttempt(Flavour flavour, TestDatabase db) {
        assertThatThrownBy(() -> portOf(flavour, "host=127.0.0.1,tusk-no-such-host.invalid,127.0.0.1 port=1,5432,2 user=x connect_timeout=5"))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining("3 attempts").hasMessageContaining("port 1 failed").hasMessageContaining("port 2 failed")
                .hasMessageContaining("could not translate host name \"tusk-no-such-host.invalid\"");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void loadBalancingSpreadsConnections(Flavour flavour, TestDatabase db, PostgresServer server) {
        assumeTrue(server.isEmbedded(), "starts a second server");
        try (EmbeddedPostgresServer other = PostgresServer.dedicated(b -> { })) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 40 && seen.size() < 2; i++) {
                seen.add(portOf(flavour, twoHosts(db, db.port(), other.port()) + " load_balance_hosts=random"));
            }
            assertThat(seen).containsExactlyInAnyOrder(db.port(), other.port());
            for (int i = 0; i < 5; i++) {
                assertThat(portOf(flavour, twoHosts(db, db.port(), other.port()))).as("disable: always in order").isEqualTo(db.port());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void protocol32ByDefaultAnd30WhenAsked(Flavour flavour, TestDatabase db) {
        try (Flavour.Session c = flavour.open(ConnectOptions.of(db.conninfo()))) {
            int expected = db.server().version() >= 180000 ? 30002 : 30000;
            assertThat(c.info().fullProtocolVersion()).isEqualTo(expected);
            if (expected == 30002) {
                assertThat(c.info().secretKeyBytes().length).as("3.2 cancel keys are longer").isGreaterThan(4);
            }
        }
        try (Flavour.Session c = flavour.open(ConnectOptions.of(db.conninfo() + " max_protocol_version=3.0"))) {
            assertThat(c.info().fullProtocolVersion()).isEqualTo(30000);
            assertThat(c.info().secretKeyBytes()).hasSize(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aHostNameWithSeveralAddressesTriesEach(Flavour flavour, TestDatabase db) {
        // localhost may resolve to ::1 first, where the server does not listen: the next address answers
        try (Flavour.Session c = flavour.open(ConnectOptions.of("host=localhost port=" + db.port() + " user=" + db.superuser()
                + " dbname=" + db.dbname() + " sslmode=disable"))) {
            assertThat(c.one("SELECT 1").getInt(0)).isEqualTo(1);
        }
    }
}
