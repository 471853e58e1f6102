package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.SyntaxError;
import dev.tusk.errors.UndefinedObject;
import dev.tusk.testing.EmbeddedPostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.Interval;
import dev.tusk.types.Multirange;
import dev.tusk.types.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What depends on the server's version, asserted on whichever version the suite runs on (the pg-matrix profile runs
 * it on 13, 14, 16 and 17 besides 18): the protocol version, pipeline mode, multiranges (14+), MERGE ... RETURNING
 * (17+), sslnegotiation=direct (17+). On a version without a feature, the driver reports the server's error as is.
 */
@TuskTest
@Timeout(120)
class VersionBehaviourTest {

    private static int version(TestDatabase db) {
        return db.server().version();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void protocol32OnlyFrom18And30Below(Flavour flavour, TestDatabase db) {
        try (Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()))) {
            assertThat(s.info().serverVersion()).isEqualTo(version(db));
            assertThat(s.info().fullProtocolVersion()).isEqualTo(version(db) >= 180000 ? 30002 : 30000);
            assertThat(s.one("SELECT 1").getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void pipelineModeWorksOnEveryVersion(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            conn.setAutocommit(true);
            conn.execute("CREATE TABLE pv (a int PRIMARY KEY)");
            Cursor<Row> first;
            Cursor<Row> bad;
            Cursor<Row> aborted;
            Cursor<Row> next;
            try (Pipeline p = conn.pipeline()) {
                first = conn.execute("INSERT INTO pv VALUES (%s) RETURNING a", 1);
                bad = conn.execute("INSERT INTO pv VALUES (%s)", 1);
                aborted = conn.execute("SELECT 2");
                catchThrowable(p::sync);
                next = conn.execute("SELECT current_setting('server_version_num')::int");
            }
            assertThat(first.fetchone().getInt(0)).isEqualTo(1);
            assertThat(catchThrowable(bad::fetchone)).hasMessageContaining("duplicate key");
            assertThat(catchThrowable(aborted::fetchone)).hasMessageContaining("pipeline aborted");
            assertThat(next.fetchone().getInt(0)).isEqualTo(version(db));
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void multirangesFrom14AndAClearServerErrorBefore(Flavour flavour, TestDatabase db) {
        try (Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()))) {
            if (version(db) >= 140000) {
                Object value = s.one("SELECT '{[1,3),[5,7)}'::int4multirange").get(0);
                assertThat(value).isEqualTo(Multirange.of(Range.of(1, 3), Range.of(5, 7)));
                assertThat(s.one("SELECT %s::text", Multirange.of(Range.of(1, 3))).getString(0)).isEqualTo("{[1,3)}");
            } else {
                Throwable t = catchThrowable(() -> s.one("SELECT '{[1,3)}'::int4multirange"));
                assertThat(t).isInstanceOf(UndefinedObject.class).hasMessageContaining("type \"int4multirange\" does not exist");
                s.rollback();
                assertThat(s.isBroken()).isFalse();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void mergeReturningFrom17AndASyntaxErrorBefore(Flavour flavour, TestDatabase db) {
        db.admin("CREATE TABLE IF NOT EXISTS stock (item text PRIMARY KEY, qty int)");
        db.admin("TRUNCATE stock; INSERT INTO stock VALUES ('a', 1)");
        String merge = "MERGE INTO stock s USING (VALUES ('a', 5), ('b', 2)) AS v(item, qty) ON s.item = v.item"
                + " WHEN MATCHED THEN UPDATE SET qty = s.qty + v.qty"
                + " WHEN NOT MATCHED THEN INSERT VALUES (v.item, v.qty)"
                + " RETURNING merge_action(), s.item, s.qty";
        try (Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()))) {
            if (version(db) >= 170000) {
                List<Row> rows = s.rows(merge);
                assertThat(rows).hasSize(2);
                assertThat(rows.stream().map(r -> r.getString(0) + " " + r.getString(1) + "=" + r.getInt(2)))
                        .containsExactlyInAnyOrder("UPDATE a=6", "INSERT b=2");
                s.rollback();
            } else {
                Throwable t = catchThrowable(() -> s.rows(merge));
                assertThat(t).as("MERGE (15+) without RETURNING (17+) or no MERGE at all (13, 14)")
                        .isInstanceOf(SyntaxError.class).hasMessageContaining("syntax error");
                s.rollback();
                assertThat(s.isBroken()).isFalse();
                assertThat(s.one("SELECT qty FROM stock WHERE item = 'a'").getInt(0)).isEqualTo(1);
            }
        }
    }

    /** Runs {@code body} with a dedicated TLS server and a verify-full, sslnegotiation=direct connection string to it. */
    private static void withTlsServer(TestDatabase shared, java.util.function.BiConsumer<EmbeddedPostgresServer, String> body)
            throws Exception {
        assumeTrue(shared.server().isEmbedded(), "starts a TLS server");
        assumeTrue(TestCertificates.opensslAvailable(), "needs the openssl command");
        TestCertificates pki = TestCertificates.create();
        try (EmbeddedPostgresServer tls = TlsTest.startServer(pki)) {
            body.accept(tls, "host=localhost port=" + tls.port() + " dbname=postgres user=postgres connect_timeout=10"
                    + " sslmode=verify-full sslrootcert=" + pki.file("ca.crt") + " sslnegotiation=direct");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void sslnegotiationDirectWorksFrom17(Flavour flavour, TestDatabase shared) throws Exception {
        assumeTrue(version(shared) >= 170000, "sslnegotiation=direct needs PostgreSQL 17");
        withTlsServer(shared, (tls, conninfo) -> assertThat(TlsTest.encrypted(flavour, conninfo)).isTrue());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void sslnegotiationDirectIsRefusedBelow17WithAClearMessage(Flavour flavour, TestDatabase shared) throws Exception {
        assumeTrue(version(shared) < 170000, "the server supports sslnegotiation=direct");
        withTlsServer(shared, (tls, conninfo) -> {
            Throwable t = catchThrowable(() -> TlsTest.encrypted(flavour, conninfo));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).as(String.valueOf(t)).contains("sslnegotiation=direct").contains("17");
            assertThat(TlsTest.encrypted(flavour, conninfo.replace("sslnegotiation=direct", "sslnegotiation=postgres")))
                    .as("the usual negotiation works").isTrue();
        });
    }

    @Test
    void enumAndCompositeTypeInformationLoadsOnEveryVersion(TestDatabase db) {
        db.admin("CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TYPE pair AS (a int, b text)");
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertThat(dev.tusk.adapt.TypeInfo.fetch(conn, "mood")).isNotNull();
            assertThat(dev.tusk.adapt.TypeInfo.fetch(conn, "pair")).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void intervalsSentAsTextAreAcceptedByEveryVersion(Flavour flavour, TestDatabase db) {
        try (Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()))) {
            assertThat(s.one("SELECT %t::interval::text", Duration.ofHours(49)).getString(0)).isEqualTo("49:00:00");
            assertThat(s.one("SELECT %t::text", new Interval(14, 3, 4_005_006_000L)).getString(0))
                    .isEqualTo("1 year 2 mons 3 days 01:06:45.006");
        }
    }
}
