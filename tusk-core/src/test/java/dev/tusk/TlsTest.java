package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.EmbeddedPostgresServer;
import dev.tusk.testing.PostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TLS against an embedded server with {@code ssl=on} and a throw-away PKI: libpq's sslmode table, CA and host
 * checks, client certificates in every key format, revocation, TLS versions, direct negotiation, SCRAM with
 * channel binding and cancellation over TLS. {@code pg_stat_ssl} proves what the session really uses. Each
 * test runs on both drivers ({@link Flavour}): the blocking one over an SSLSocket, the event-loop one over
 * an SSLEngine; {@code AsyncTlsTest} adds what only the event loop has to get right (buffers, pipelining).
 */
@TuskTest
@Timeout(120)
class TlsTest {
    private static TestCertificates pki;
    private static EmbeddedPostgresServer tls;
    private static TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TestCertificates.opensslAvailable(), "needs the openssl command");
        pki = TestCertificates.create();
        tls = startServer(pki);
        db = tls.createDatabase("tls");
        db.admin("CREATE ROLE " + TestCertificates.CLIENT_ROLE + " LOGIN; CREATE ROLE tusk_tls_only LOGIN;"
                + " CREATE ROLE tusk_plus LOGIN PASSWORD 'plus-secret'");
    }

    /**
     * A dedicated server with TLS (up to 1.2) from {@code pki}: certificate login for the client role, TLS only for
     * {@code tusk_tls_only}, SCRAM over TLS for {@code tusk_plus} (roles to be created).
     */
    static EmbeddedPostgresServer startServer(TestCertificates pki) {
        return PostgresServer.dedicated(b -> b
                .setting("ssl", "on")
                .setting("ssl_cert_file", "'server.crt'")
                .setting("ssl_key_file", "'server.key'")
                .setting("ssl_ca_file", "'ca.crt'")
                .setting("ssl_max_protocol_version", "'TLSv1.2'")
                .hba("hostssl all " + TestCertificates.CLIENT_ROLE + " 127.0.0.1/32 cert")
                .hba("hostnossl all " + TestCertificates.CLIENT_ROLE + " 127.0.0.1/32 reject")
                .hba("hostnossl all tusk_tls_only 127.0.0.1/32 reject")
                .hba("hostssl all tusk_plus 127.0.0.1/32 scram-sha-256")
                .beforeStart(dir -> copy(pki, dir, "server.crt", "server.key", "ca.crt")));
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    static void copy(TestCertificates pki, Path dir, String... names) {
        try {
            for (String n : names) {
                Path target = dir.resolve(n);
                Files.copy(pki.file(n), target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String base(String host, int port) {
        return "host=" + host + " port=" + port + " dbname=" + db.dbname() + " user=" + db.superuser() + " connect_timeout=10";
    }

    private static String base() {
        return base("localhost", tls.port());
    }

    /** Connects with {@code flavour} and says whether the session is encrypted, as the server sees it. */
    static boolean encrypted(Flavour flavour, String conninfo) {
        return Boolean.parseBoolean(flavour.queryOnce(ConnectOptions.of(conninfo),
                "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
    }

    /** Connects with {@code flavour} and returns the first column of {@code sql}'s first row as text. */
    private static String query(Flavour flavour, String conninfo, String sql) {
        return flavour.queryOnce(ConnectOptions.of(conninfo), sql);
    }

    private String root() {
        return " sslrootcert=" + pki.file("ca.crt");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void sslmodesAgainstATlsServer(Flavour f) {
        assertThat(encrypted(f, base() + " sslmode=disable")).isFalse();
        assertThat(encrypted(f, base() + " sslmode=allow")).isFalse();
        assertThat(encrypted(f, base() + " sslmode=prefer")).isTrue();
        assertThat(encrypted(f, base() + " sslmode=require")).isTrue();
        assertThat(encrypted(f, base() + " sslmode=verify-ca" + root())).isTrue();
        assertThat(encrypted(f, base() + " sslmode=verify-full" + root())).isTrue();
        assertThat(encrypted(f, base("127.0.0.1", tls.port()) + " sslmode=verify-full" + root())).as("IP in the SAN").isTrue();
        assertThat(encrypted(f, base().replace("user=" + db.superuser(), "user=tusk_tls_only") + " sslmode=allow"))
                .as("allow: plain refused by pg_hba, then TLS").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void sslmodesAgainstAPlainServer(Flavour f, TestDatabase plain) {
        String ci = "host=127.0.0.1 port=" + plain.port() + " dbname=" + plain.dbname() + " user=" + plain.superuser();
        assertThat(encrypted(f, ci + " sslmode=prefer")).isFalse();
        assertThat(encrypted(f, ci + " sslmode=allow")).isFalse();
        for (String mode : new String[] {"require", "verify-ca", "verify-full"}) {
            assertThatThrownBy(() -> encrypted(f, ci + " sslmode=" + mode + root())).as(mode)
                    .isInstanceOf(OperationalException.class).hasMessageContaining("does not support TLS");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void verificationFailuresSayWhichCheckFailed(Flavour f) {
        assertThatThrownBy(() -> encrypted(f, base() + " sslmode=verify-ca sslrootcert=" + pki.file("other-ca.crt")))
                .isInstanceOf(OperationalException.class).hasMessageContaining("not signed by a trusted CA");
        assertThatThrownBy(() -> encrypted(f, base() + " sslmode=require sslrootcert=" + pki.file("other-ca.crt")))
                .as("require with a root certificate checks the CA, as libpq").hasMessageContaining("trusted CA");
        assertThatThrownBy(() -> encrypted(f, base("tusk-wrong.invalid", tls.port()) + " hostaddr=127.0.0.1 sslmode=verify-full" + root()))
                .isInstanceOf(OperationalException.class).hasMessageContaining("does not match host name \"tusk-wrong.invalid\"");
        assertThat(encrypted(f, base("tusk-wrong.invalid", tls.port()) + " hostaddr=127.0.0.1 sslmode=verify-ca" + root()))
                .as("verify-ca does not check the name").isTrue();
        assertThatThrownBy(() -> encrypted(f, base() + " sslmode=verify-ca sslrootcert=/nonexistent/root.crt"))
                .hasMessageContaining("does not exist");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void clientCertificatesInEveryKeyFormat(Flavour f) {
        String cert = base().replace("user=" + db.superuser(), "user=" + TestCertificates.CLIENT_ROLE)
                + " sslmode=verify-full" + root() + " sslcert=" + pki.file("client.crt");
        for (String key : new String[] {"client.key", "client-pkcs1.key"}) {
            assertThat(query(f, cert + " sslkey=" + pki.file(key), "SELECT current_user")).as(key)
                    .isEqualTo(TestCertificates.CLIENT_ROLE);
        }
        assertThat(query(f, cert + " sslkey=" + pki.file("client-encrypted.key") + " sslpassword=" + TestCertificates.KEY_PASSWORD,
                "SELECT current_user")).isEqualTo(TestCertificates.CLIENT_ROLE);
        assertThatThrownBy(() -> encrypted(f, cert + " sslkey=" + pki.file("client-encrypted.key") + " sslpassword=wrong"))
                .isInstanceOf(OperationalException.class).hasMessageContaining("sslpassword");
        assertThatThrownBy(() -> encrypted(f, cert.replace(" sslcert=" + pki.file("client.crt"), "")))
                .as("no certificate: pg_hba's cert method refuses").isInstanceOf(OperationalException.class);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void tlsVersionsOutsideTheServersRangeFailClearly(Flavour f) {
        assertThatThrownBy(() -> encrypted(f, base() + " sslmode=require ssl_min_protocol_version=TLSv1.3"))
                .isInstanceOf(OperationalException.class).hasMessageContaining("TLS");
        assertThat(encrypted(f, base() + " sslmode=prefer ssl_min_protocol_version=TLSv1.3"))
                .as("prefer: a failed handshake is retried without TLS, as libpq").isFalse();
        assertThat(query(f, base() + " sslmode=require ssl_max_protocol_version=TLSv1.2",
                "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("TLSv1.2");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void directTlsNegotiation(Flavour f) {
        assumeTrue(tls.version() >= 170000, "sslnegotiation=direct needs PostgreSQL 17");
        assertThat(encrypted(f, base() + " sslmode=verify-full sslnegotiation=direct" + root())).isTrue();
        assertThatThrownBy(() -> encrypted(f, base() + " sslmode=prefer sslnegotiation=direct"))
                .hasMessageContaining("sslnegotiation=direct");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void scramWithChannelBindingOverTls(Flavour f) {
        String plus = base().replace("user=" + db.superuser(), "user=tusk_plus") + " password=plus-secret sslmode=require";
        assertThat(encrypted(f, plus + " channel_binding=require")).as("SCRAM-SHA-256-PLUS").isTrue();
        assertThat(encrypted(f, plus + " channel_binding=disable")).as("plain SCRAM-SHA-256 over TLS").isTrue();
    }

    @Test
    void cancelTravelsOverTlsToo() throws Exception {
        try (Connection<Row> c = Connection.connect(base() + " sslmode=require")) {
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                c.cancel();
            });
            assertThatThrownBy(() -> c.execute("SELECT pg_sleep(30)")).isInstanceOf(QueryCanceled.class);
            canceller.join();
            c.rollback();
            assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRevokedServerCertificateIsRefused(Flavour f) {
        try (EmbeddedPostgresServer revoked = PostgresServer.dedicated(b -> b
                .setting("ssl", "on").setting("ssl_cert_file", "'revoked.crt'").setting("ssl_key_file", "'revoked.key'")
                .beforeStart(dir -> copy(pki, dir, "revoked.crt", "revoked.key")))) {
            String ci = "host=localhost port=" + revoked.port() + " dbname=postgres user=" + db.superuser()
                    + " sslmode=verify-full" + root();
            assertThat(encrypted(f, ci)).as("without a CRL").isTrue();
            assertThatThrownBy(() -> encrypted(f, ci + " sslcrl=" + pki.file("ca.crl")))
                    .isInstanceOf(OperationalException.class).hasMessageContaining("revoked");
        }
    }
}
