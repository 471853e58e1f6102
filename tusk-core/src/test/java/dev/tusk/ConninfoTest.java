package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConninfoTest {

    static Stream<Arguments> keywordValueStrings() {
        return Stream.of(
                Arguments.of("", Map.of()),
                Arguments.of("   \t\n ", Map.of()),
                Arguments.of("dbname=app", Map.of("dbname", "app")),
                Arguments.of("  host=h   port=5433  ", Map.of("host", "h", "port", "5433")),
                Arguments.of("host = h port= 1 user =u", Map.of("host", "h", "port", "1", "user", "u")),
                Arguments.of("dbname='my db'", Map.of("dbname", "my db")),
                Arguments.of("dbname=''", Map.of("dbname", "")),
                Arguments.of("password='it\\'s'", Map.of("password", "it's")),
                Arguments.of("password='back\\\\slash'", Map.of("password", "back\\slash")),
                Arguments.of("password=a\\ b", Map.of("password", "a b")),
                Arguments.of("password=a\\'b", Map.of("password", "a'b")),
                Arguments.of("password=x'y", Map.of("password", "x'y")),
                Arguments.of("options='-c search_path=app'", Map.of("options", "-c search_path=app")),
                Arguments.of("dbname='a''b'", null), // quote closes, "'b'" is then a keyword without "="
                Arguments.of("password=a=b", Map.of("password", "a=b")),
                Arguments.of("dbname=a dbname=b", Map.of("dbname", "b")),
                Arguments.of("application_name='über ✓'", Map.of("application_name", "über ✓")));
    }

    @ParameterizedTest
    @MethodSource("keywordValueStrings")
    void parsesKeywordValueStrings(String conninfo, Map<String, String> expected) {
        if (expected == null) {
            assertThatThrownBy(() -> Conninfo.parse(conninfo)).isInstanceOf(ProgrammingException.class);
        } else {
            assertThat(Conninfo.parse(conninfo)).isEqualTo(expected);
        }
    }

    @Test
    void keepsTheOrderOfTheString() {
        assertThat(Conninfo.parse("port=1 host=h dbname=d user=u").keySet())
                .containsExactly("port", "host", "dbname", "user");
    }

    @Test
    void parsesUris() {
        assertThat(Conninfo.parse("postgresql://alice:s%40cret@db.example.com:5433/sales?connect_timeout=10&sslmode=require"))
                .containsExactly(Map.entry("user", "alice"), Map.entry("password", "s@cret"),
                        Map.entry("host", "db.example.com"), Map.entry("port", "5433"), Map.entry("dbname", "sales"),
                        Map.entry("connect_timeout", "10"), Map.entry("sslmode", "require"));
        assertThat(Conninfo.parse("postgres://localhost")).isEqualTo(Map.of("host", "localhost"));
        assertThat(Conninfo.parse("postgresql://")).isEmpty();
        assertThat(Conninfo.parse("postgresql:///app")).isEqualTo(Map.of("dbname", "app"));
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("dbname", "missing \"=\" after \"dbname\" in connection info string (at character 1"),
                Arguments.of("host=h dbname", "missing \"=\" after \"dbname\""),
                Arguments.of("dbname='abc", "unterminated quoted string in connection info string: the value of"
                        + " \"dbname\" opens a quote at character 8"),
                Arguments.of("hots=localhost", "invalid connection option \"hots\"; did you mean \"host\"?"),
                Arguments.of("database=x", "invalid connection option \"database\""),
                Arguments.of("sslmdoe=require", "did you mean \"sslmode\"?"),
                Arguments.of("zzzzzzzzzzzzz=1", "invalid connection option \"zzzzzzzzzzzzz\"; see the libpq"),
                Arguments.of("=x", "invalid connection option \"\""),
                Arguments.of("port=abc", "invalid integer value \"abc\" for connection option \"port\""),
                Arguments.of("port=0", "invalid port number: \"0\""),
                Arguments.of("port=65536", "invalid port number: \"65536\""),
                Arguments.of("port=5432,x", "invalid integer value \"x\" for connection option \"port\""),
                Arguments.of("connect_timeout=soon", "invalid integer value \"soon\" for connection option \"connect_timeout\""),
                Arguments.of("keepalives=yes", "connection option \"keepalives\""),
                Arguments.of("keepalives_idle=1.5", "connection option \"keepalives_idle\""),
                Arguments.of("keepalives_interval=", "connection option \"keepalives_interval\""),
                Arguments.of("keepalives_count=x", "connection option \"keepalives_count\""),
                Arguments.of("tcp_user_timeout=x", "connection option \"tcp_user_timeout\""),
                Arguments.of("sslmode=sometimes", "invalid sslmode value: \"sometimes\"; allowed values: disable, allow,"
                        + " prefer, require, verify-ca, verify-full"),
                Arguments.of("sslmode=REQUIRE", "invalid sslmode value: \"REQUIRE\""),
                Arguments.of("channel_binding=yes", "invalid channel_binding value: \"yes\"; allowed values: disable,"
                        + " prefer, require"),
                Arguments.of("gssencmode=on", "invalid gssencmode value: \"on\"; allowed values: disable, prefer, require"),
                Arguments.of("sslnegotiation=tls", "invalid sslnegotiation value: \"tls\"; allowed values: postgres, direct"),
                Arguments.of("sslcertmode=x", "invalid sslcertmode value: \"x\"; allowed values: disable, allow, require"),
                Arguments.of("target_session_attrs=primary-ish", "invalid target_session_attrs value: \"primary-ish\";"
                        + " allowed values: any, read-write, read-only, primary, standby, prefer-standby"),
                Arguments.of("load_balance_hosts=roundrobin", "invalid load_balance_hosts value: \"roundrobin\";"
                        + " allowed values: disable, random"),
                Arguments.of("min_protocol_version=3.1", "invalid min_protocol_version value: \"3.1\"; allowed values:"
                        + " 3.0, 3.2, latest"),
                Arguments.of("max_protocol_version=4", "invalid max_protocol_version value: \"4\""),
                Arguments.of("ssl_min_protocol_version=SSLv3", "invalid ssl_min_protocol_version value: \"SSLv3\";"
                        + " allowed values: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"),
                Arguments.of("ssl_max_protocol_version=TLSv2", "invalid ssl_max_protocol_version value: \"TLSv2\""),
                Arguments.of("require_auth=kerberos", "invalid require_auth value: \"kerberos\"; allowed methods:"
                        + " password, md5, gss, sspi, scram-sha-256, oauth, none"),
                Arguments.of("require_auth=md5,!password", "negative require_auth method \"!password\" cannot be"
                        + " mixed with non-negative methods"),
                Arguments.of("require_auth=!md5,password", "require_auth method \"password\" cannot be mixed with"
                        + " negative methods"),
                Arguments.of("require_auth=md5,md5", "require_auth method \"md5\" is specified more than once"),
                Arguments.of("require_auth=!none,!none", "require_auth method \"!none\" is specified more than once"),
                Arguments.of("require_auth=!", "invalid require_auth value: \"\""),
                Arguments.of("hostaddr=db.example.com", "could not parse network address \"db.example.com\""),
                Arguments.of("hostaddr=256.1.1.1", "could not parse network address \"256.1.1.1\""));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void rejectsBadStringsNamingTheProblem(String conninfo, String message) {
        assertThatThrownBy(() -> Conninfo.parse(conninfo))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining(message);
    }

    @Test
    void acceptsEveryValidEnumeratedValue() {
        for (String v : List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full")) {
            assertThat(Conninfo.parse("sslmode=" + v)).containsEntry("sslmode", v);
        }
        assertThat(Conninfo.parse("require_auth=!password,!md5")).containsEntry("require_auth", "!password,!md5");
        assertThat(Conninfo.parse("require_auth=scram-sha-256,none")).containsEntry("require_auth", "scram-sha-256,none");
        assertThat(Conninfo.parse("ssl_min_protocol_version=tlsv1.3")).containsEntry("ssl_min_protocol_version", "tlsv1.3");
        assertThat(Conninfo.parse("hostaddr=127.0.0.1,::1,fe80::1%eth0")).containsEntry("hostaddr", "127.0.0.1,::1,fe80::1%eth0");
        assertThat(Conninfo.parse("port=,5433")).containsEntry("port", ",5433");
        assertThat(Conninfo.parse("connect_timeout=' 10 '")).containsEntry("connect_timeout", " 10 ");
    }

    @Test
    void errorMessagesDoNotShowThePassword() {
        assertThatThrownBy(() -> Conninfo.parse("password=hunter2 dbname"))
                .hasMessageContaining("password=***")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://u:hunter2@[::1"))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void makeMergesOverridesAndQuotes() {
        Map<String, Object> over = new LinkedHashMap<>();
        over.put("user", "app");
        over.put("port", 5433);
        over.put("application_name", "month end");
        assertThat(Conninfo.make("dbname=sales port=5432", over))
                .isEqualTo("dbname=sales port=5433 user=app application_name='month end'");
    }

    /**
     * psycopg test_conninfo.py::test_make_conninfo ({@code make_conninfo("", dbname="foo", user=None)} is {@code "dbname=foo"}).
     * Issue 30 overrules the earlier behaviour (a null override removed the key: was makeRemovesKeysOverriddenWithNull).
     */
    @Test
    void makeKeepsTheBaseValueForANullOverride() {
        Map<String, Object> over = new HashMap<>();
        over.put("password", null);
        assertThat(Conninfo.make("dbname=a password=secret", over)).isEqualTo("dbname=a password=secret");
        over.put("user", "u");
        assertThat(Conninfo.make("dbname=a password=secret", over)).isEqualTo("dbname=a password=secret user=u");
        assertThat(Conninfo.make(over)).isEqualTo("user=u");
    }

    @Test
    void makeWithoutOverridesChecksAndReturnsTheStringUnchanged() {
        assertThat(Conninfo.make("postgresql://h/db", Map.of())).isEqualTo("postgresql://h/db");
        assertThat(Conninfo.make("  dbname=x  ", null)).isEqualTo("  dbname=x  ");
        assertThat(Conninfo.make("", Map.of())).isEmpty();
        assertThatThrownBy(() -> Conninfo.make("dbname", Map.of())).isInstanceOf(ProgrammingException.class);
    }

    @Test
    void makeTurnsUrisIntoKeywordValueStrings() {
        assertThat(Conninfo.make("postgresql://u@h:5/db", Map.of("sslmode", "disable")))
                .isEqualTo("user=u host=h port=5 dbname=db sslmode=disable");
    }

    @Test
    void makeRejectsUnknownKeywordsAndBadValues() {
        assertThatThrownBy(() -> Conninfo.make("", Map.of("hostname", "x")))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("did you mean \"host\"?");
        assertThatThrownBy(() -> Conninfo.make("", Map.of("port", "x")))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("\"port\"");
    }

    static Stream<String> awkwardValues() {
        return Stream.of("", " ", "plain", "two words", "it's", "'", "\\", "a\\b", "tab\there", "new\nline", "='",
                "trailing\\", "\\'", "'quoted'", "ünïcødé", "a=b", "#", "x y z ' \\ '");
    }

    @ParameterizedTest
    @MethodSource("awkwardValues")
    void makeRoundTripsThroughParse(String value) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("application_name", value);
        params.put("password", value);
        params.put("dbname", "db");
        assertThat(Conninfo.parse(Conninfo.make(params))).isEqualTo(params);
    }

    @Test
    void quoteQuotesOnlyWhatNeedsIt() {
        assertThat(Conninfo.quote("abc")).isEqualTo("abc");
        assertThat(Conninfo.quote("")).isEqualTo("''");
        assertThat(Conninfo.quote("a b")).isEqualTo("'a b'");
        assertThat(Conninfo.quote("it's")).isEqualTo("'it\\'s'");
        assertThat(Conninfo.quote("c:\\dir")).isEqualTo("'c:\\\\dir'");
    }

    @Test
    void parseWithOverridesMirrorsConninfoToDict() {
        Map<String, Object> over = new HashMap<>();
        over.put("host", null);
        over.put("port", 6000);
        assertThat(Conninfo.parse("host=a port=1 dbname=d", over)).isEqualTo(Map.of("port", "6000", "dbname", "d"));
    }

    @Test
    void acceptsEveryLibpqKeyword() {
        List<String> keywords = List.of("host", "hostaddr", "port", "dbname", "user", "password", "passfile",
                "require_auth", "channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
                "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
                "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode", "sslnegotiation",
                "sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword", "sslcertmode", "sslrootcert",
                "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
                "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service", "servicefile",
                "target_session_attrs", "load_balance_hosts", "min_protocol_version", "max_protocol_version",
                "scram_client_key", "scram_server_key", "oauth_issuer", "oauth_client_id", "oauth_client_secret",
                "oauth_scope");
        for (String k : keywords) {
            String value = switch (k) {
                case "hostaddr" -> "127.0.0.1";
                case "port", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout" -> "1";
                case "require_auth" -> "md5";
                case "channel_binding", "gssencmode" -> "prefer";
                case "sslmode" -> "require";
                case "sslnegotiation" -> "direct";
                case "sslcertmode" -> "allow";
                case "ssl_min_protocol_version", "ssl_max_protocol_version" -> "TLSv1.3";
                case "target_session_attrs" -> "any";
                case "load_balance_hosts" -> "random";
                case "min_protocol_version", "max_protocol_version" -> "3.0";
                default -> "x";
            };
            assertThat(Conninfo.parse(k + "=" + value)).as(k).containsEntry(k, value);
        }
    }

    @Test
    void javadocExamplesHold() {
        assertThat(Conninfo.parse("postgresql://app@db1,db2:5433/sales?connect_timeout=5")).containsExactly(
                Map.entry("user", "app"), Map.entry("host", "db1,db2"), Map.entry("port", ",5433"),
                Map.entry("dbname", "sales"), Map.entry("connect_timeout", "5"));
        Map<String, Object> over = new LinkedHashMap<>();
        over.put("user", "app");
        over.put("application_name", "month end");
        assertThat(Conninfo.make("dbname=sales", over)).isEqualTo("dbname=sales user=app application_name='month end'");
        assertThat(Conninfo.make("postgresql://localhost/db", Map.of("password", "it's")))
                .isEqualTo("host=localhost dbname=db password='it\\'s'");
    }

    @Test
    void suggestsTheKeywordOtherDriversCallDifferently() {
        assertThatThrownBy(() -> Conninfo.parse("database=x")).hasMessageContaining("did you mean \"dbname\"?");
        assertThatThrownBy(() -> Conninfo.parse("username=x")).hasMessageContaining("did you mean \"user\"?");
        assertThatThrownBy(() -> Conninfo.parse("applicationName=x"))
                .hasMessageContaining("did you mean \"application_name\"?");
        assertThatThrownBy(() -> Conninfo.parse("SSLMODE=x")).hasMessageContaining("did you mean \"sslmode\"?");
        assertThatThrownBy(() -> Conninfo.parse("connect-timeout=1"))
                .hasMessageContaining("did you mean \"connect_timeout\"?");
    }
}
