package dev.tusk.internal.conninfo;

import dev.tusk.Conninfo;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UriParserTest {

    private static Map<String, String> m(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(kv[i], kv[i + 1]);
        }
        return out;
    }

    static Stream<Arguments> uris() {
        return Stream.of(
                Arguments.of("postgresql://", m()),
                Arguments.of("postgresql://localhost", m("host", "localhost")),
                Arguments.of("postgresql://localhost:5433", m("host", "localhost", "port", "5433")),
                Arguments.of("postgresql://localhost/mydb", m("host", "localhost", "dbname", "mydb")),
                Arguments.of("postgresql://user@localhost", m("user", "user", "host", "localhost")),
                Arguments.of("postgresql://user:secret@localhost", m("user", "user", "password", "secret", "host", "localhost")),
                Arguments.of("postgresql://user:@localhost", m("user", "user", "host", "localhost")),
                Arguments.of("postgresql://:pw@localhost", m("password", "pw", "host", "localhost")),
                Arguments.of("postgresql://@localhost", m("host", "localhost")),
                Arguments.of("postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp",
                        m("user", "other", "host", "localhost", "dbname", "otherdb", "connect_timeout", "10",
                                "application_name", "myapp")),
                Arguments.of("postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp",
                        m("host", "host1,host2", "port", "123,456", "dbname", "somedb", "target_session_attrs", "any",
                                "application_name", "myapp")),
                Arguments.of("postgresql://h1,h2/db", m("host", "h1,h2", "port", ",", "dbname", "db")),
                Arguments.of("postgresql://h1,h2:5433", m("host", "h1,h2", "port", ",5433")),
                Arguments.of("postgresql://[::1]:5432/db", m("host", "::1", "port", "5432", "dbname", "db")),
                Arguments.of("postgresql://[2001:db8::1234]/database", m("host", "2001:db8::1234", "dbname", "database")),
                Arguments.of("postgresql://[::1],[fe80::2]:6/x", m("host", "::1,fe80::2", "port", ",6", "dbname", "x")),
                Arguments.of("postgresql://%2Fvar%2Frun%2Fpostgresql/dbname", m("host", "/var/run/postgresql", "dbname", "dbname")),
                Arguments.of("postgresql:///dbname?host=/var/lib/postgresql", m("dbname", "dbname", "host", "/var/lib/postgresql")),
                Arguments.of("postgresql://localhost/mydb?sslmode=require", m("host", "localhost", "dbname", "mydb", "sslmode", "require")),
                Arguments.of("postgresql://localhost?ssl=true", m("host", "localhost", "sslmode", "require")),
                Arguments.of("postgresql://h/?dbname=x", m("host", "h", "dbname", "x")),
                Arguments.of("postgresql://h/", m("host", "h")),
                Arguments.of("postgresql://h?", m("host", "h")),
                Arguments.of("postgresql://h/d?options=-c%20work_mem%3D64MB", m("host", "h", "dbname", "d", "options", "-c work_mem=64MB")),
                Arguments.of("postgresql://us%65r:p%40ss%3Aw%2Fd@h/d%C3%BCb", m("user", "user", "password", "p@ss:w/d", "host", "h", "dbname", "düb")),
                Arguments.of("postgresql://h/db?application_name=a+b", m("host", "h", "dbname", "db", "application_name", "a+b")),
                Arguments.of("postgres://u@h", m("user", "u", "host", "h")),
                Arguments.of("postgresql://h:/d", m("host", "h", "dbname", "d")),
                Arguments.of("postgresql://h/d?port=&host=", m("host", "", "dbname", "d", "port", "")));
    }

    @ParameterizedTest
    @MethodSource("uris")
    void parsesLikeLibpq(String uri, Map<String, String> expected) {
        assertThat(Conninfo.parse(uri)).containsExactlyEntriesOf(expected);
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("postgresql://[::1", "end of string reached when looking for matching \"]\" in IPv6 host address in URI \"postgresql://[::1\""),
                Arguments.of("postgresql://[]/db", "IPv6 host address may not be empty in URI"),
                Arguments.of("postgresql://[::1]x/db", "unexpected character \"x\" at position 19 (expected \":\" or \"/\")"),
                Arguments.of("postgresql://h/db?sslmode", "missing key/value separator \"=\" in URI query parameter \"sslmode\""),
                Arguments.of("postgresql://h/db?a=b=c", "extra key/value separator \"=\" in URI query parameter \"a\""),
                Arguments.of("postgresql://h/db?colour=red", "invalid URI query parameter \"colour\""),
                Arguments.of("postgresql://h/db?sslmod=require", "invalid URI query parameter \"sslmod\"; did you mean \"sslmode\"?"),
                Arguments.of("postgresql://h/db?ssl=false", "invalid URI query parameter \"ssl\""),
                Arguments.of("postgresql://h/d%zzb", "invalid percent-encoded token \"%zz\""),
                Arguments.of("postgresql://h/db%4", "invalid percent-encoded token \"%4\""),
                Arguments.of("postgresql://h/d%00b", "forbidden value %00 in percent-encoded value \"d%00b\""),
                Arguments.of("postgresql://h:port/db", "invalid integer value \"port\" for connection option \"port\""),
                Arguments.of("postgresql://h/db?sslmode=sometimes", "invalid sslmode value: \"sometimes\""));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsMalformedUris(String uri, String message) {
        assertThatThrownBy(() -> Conninfo.parse(uri))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining(message);
    }

    @Test
    void uriPrefixIsCaseSensitiveAsInLibpq() {
        assertThat(UriParser.prefixLength("postgresql://h")).isEqualTo(13);
        assertThat(UriParser.prefixLength("postgres://h")).isEqualTo(11);
        assertThat(UriParser.prefixLength("POSTGRESQL://h")).isZero();
        assertThat(UriParser.prefixLength("host=h")).isZero();
    }

    @Test
    void redactsPasswordsInMessages() {
        assertThat(UriParser.redact("postgresql://u:secret@h/db")).isEqualTo("postgresql://u:***@h/db");
        assertThat(UriParser.redact("postgresql://u@h:5/db")).isEqualTo("postgresql://u@h:5/db");
        assertThat(UriParser.redact("postgresql://h:5/db")).isEqualTo("postgresql://h:5/db");
    }
}
