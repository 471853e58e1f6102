package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.PostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Password methods against a real server, on both drivers, and require_auth / channel_binding refusing before any password is sent. */
@TuskTest
class AuthenticationServerTest {
    private Flavour flavour;

    private String whoAmI(String conninfo) {
        return whoAmI(ConnectOptions.of(conninfo));
    }

    private String whoAmI(ConnectOptions<Row> options) {
        return flavour.queryOnce(options, "SELECT current_user");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void scramMd5AndCleartextLogins(Flavour flavour, TestDatabase db) {
        this.flavour = flavour;
        assertThat(whoAmI(db.conninfo(db.scramUser(), db.scramPassword()))).isEqualTo(db.scramUser());
        assertThat(whoAmI(db.conninfo(db.md5User(), db.md5Password()))).isEqualTo(db.md5User());
        assertThat(whoAmI(db.conninfo(db.cleartextUser(), db.cleartextPassword()))).isEqualTo(db.cleartextUser());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void requireAuthAllowsTheListedMethod(Flavour flavour, TestDatabase db) {
        this.flavour = flavour;
        assertThat(whoAmI(db.conninfo(db.scramUser(), db.scramPassword()) + " require_auth=scram-sha-256")).isEqualTo(db.scramUser());
        assertThat(whoAmI(db.conninfo(db.md5User(), db.md5Password()) + " require_auth=password,md5")).isEqualTo(db.md5User());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void requireAuthRefusesOtherMethodsBeforeSendingThePassword(Flavour flavour, TestDatabase db) {
        this.flavour = flavour;
        assertThatThrownBy(() -> whoAmI(db.conninfo(db.md5User(), db.md5Password()) + " require_auth=scram-sha-256"))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining("MD5").hasMessageContaining("require_auth").hasMessageContaining("nothing was sent");
        assertThatThrownBy(() -> whoAmI(db.conninfo(db.cleartextUser(), db.cleartextPassword()) + " require_auth=!password"))
                .isInstanceOf(OperationalException.class).hasMessageContaining("cleartext");
        assertThatThrownBy(() -> whoAmI(db.conninfo() + " require_auth=md5"))
                .as("trust: the server asks for nothing").isInstanceOf(OperationalException.class)
                .hasMessageContaining("did not ask for authentication");
        assertThat(whoAmI(db.conninfo() + " require_auth=none")).isEqualTo(db.superuser());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void channelBindingRequireNeverDowngrades(Flavour flavour, TestDatabase db) {
        this.flavour = flavour;
        String plain = " sslmode=disable channel_binding=require";
        assertThatThrownBy(() -> whoAmI(db.conninfo(db.scramUser(), db.scramPassword()) + plain))
                .isInstanceOf(OperationalException.class).hasMessageContaining("channel_binding=require");
        assertThatThrownBy(() -> whoAmI(db.conninfo(db.md5User(), db.md5Password()) + plain))
                .isInstanceOf(OperationalException.class).hasMessageContaining("nothing was sent");
        assertThatThrownBy(() -> whoAmI(db.conninfo(db.cleartextUser(), db.cleartextPassword()) + plain))
                .isInstanceOf(OperationalException.class).hasMessageContaining("nothing was sent");
        assertThatThrownBy(() -> whoAmI(db.conninfo() + plain))
                .as("trust").isInstanceOf(OperationalException.class).hasMessageContaining("without channel binding");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void wrongScramPasswordSaysAuthenticationFailedWithoutEchoingIt(Flavour flavour, TestDatabase db) {
        this.flavour = flavour;
        assertThatThrownBy(() -> whoAmI(db.conninfo(db.scramUser(), "not-the-Secret-123")))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-Secret-123"));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void nonAsciiPasswordsGoThroughSaslPrepLikeTheServer(Flavour flavour, TestDatabase db, PostgresServer server) {
        this.flavour = flavour;
        assumeTrue(server.isEmbedded(), "needs pg_hba.conf changes");
        String password = "pässwörd\u00A0I\u00ADX ☃"; // a non-ASCII space and a soft hyphen: SASLprep maps both
        db.admin("CREATE ROLE tusk_unicode LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        try {
            server.appendHba("host all tusk_unicode 127.0.0.1/32 scram-sha-256");
            server.reloadConfig();
            assertThat(whoAmI(ConnectOptions.builder().conninfo(db.conninfo()).user("tusk_unicode").password(password).build()))
                    .isEqualTo("tusk_unicode");
            assertThatThrownBy(() -> whoAmI(ConnectOptions.builder().conninfo(db.conninfo()).user("tusk_unicode")
                    .password("pässwörd").build())).hasMessageContaining("authentication failed");
        } finally {
            db.admin("DROP ROLE tusk_unicode");
        }
    }
}
