package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class ConninfoTest {
    @Test
    void keyValuePairsWithLibpqQuoting() {
        assertThat(Conninfo.parse("  host=db   port = 5433 dbname='my db' password='it\\'s \\\\ here' user=a\\ b "))
                .containsExactly(entry("host", "db"), entry("port", "5433"), entry("dbname", "my db"),
                        entry("password", "it's \\ here"), entry("user", "a b"));
        assertThat(Conninfo.parse("")).isEmpty();
        assertThat(Conninfo.parse("options='-c geqo=off' application_name=''"))
                .containsExactly(entry("options", "-c geqo=off"), entry("application_name", ""));
        assertThat(Conninfo.parse("host=a host=b")).containsExactly(entry("host", "b"));
    }

    @Test
    void uris() {
        assertThat(Conninfo.parse("postgresql://")).isEmpty();
        assertThat(Conninfo.parse("postgresql://app:s%40cret@db.example.com:5433/my%20db?sslmode=require&application_name=x"))
                .containsExactly(entry("dbname", "my db"), entry("user", "app"), entry("password", "s@cret"),
                        entry("host", "db.example.com"), entry("port", "5433"), entry("sslmode", "require"),
                        entry("application_name", "x"));
        assertThat(Conninfo.parse("postgres://[::1]:5432,[2001:db8::7],db3:6543/app"))
                .containsEntry("host", "::1,2001:db8::7,db3").containsEntry("port", "5432,,6543");
        assertThat(Conninfo.parse("postgresql://%2Fvar%2Frun%2Fpostgresql/app")).containsEntry("host", "/var/run/postgresql");
        assertThat(Conninfo.parse("postgresql://h/d?ssl=true")).containsEntry("sslmode", "require");
        assertThat(Conninfo.parse("postgresql://user@/db")).containsExactly(entry("dbname", "db"), entry("user", "user"));
        assertThat(Conninfo.parse("postgresql://h?host=other")).containsEntry("host", "other");
    }

    @Test
    void unknownKeywordsAreNamedWithASuggestion() {
        assertThatThrownBy(() -> Conninfo.parse("host=db sslmdoe=require")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("\"sslmdoe\"").hasMessageContaining("did you mean \"sslmode\"");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://h/d?usr=x")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("\"usr\"").hasMessageContaining("\"user\"");
        assertThatThrownBy(() -> Conninfo.parse("zzzzzzzzzzzz=1")).hasMessageContaining("zzzzzzzzzzzz").hasMessageNotContaining("did you mean");
    }

    @Test
    void malformedStringsSayWhatIsWrong() {
        assertThatThrownBy(() -> Conninfo.parse("host")).isInstanceOf(ProgrammingException.class).hasMessageContaining("missing \"=\" after \"host\"");
        assertThatThrownBy(() -> Conninfo.parse("dbname db")).hasMessageContaining("missing \"=\"");
        assertThatThrownBy(() -> Conninfo.parse("password='abc")).hasMessageContaining("unterminated quoted string");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://[::1/db")).hasMessageContaining("\"]\"");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://h/d%zz")).hasMessageContaining("percent-encoded");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://h/d%2")).hasMessageContaining("percent-encoded");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://h/d%00")).hasMessageContaining("%00");
        assertThatThrownBy(() -> Conninfo.parse("postgresql://h/d?sslmode")).hasMessageContaining("key=value");
    }

    @Test
    void makeMergesQuotesAndRoundTrips() {
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("user", "me");
        overrides.put("application_name", "my app");
        overrides.put("password", "it's \\ odd");
        overrides.put("port", 5433);
        overrides.put("host", null);
        String made = Conninfo.make("host=db dbname=app", overrides);
        assertThat(made).isEqualTo("dbname=app user=me application_name='my app' password='it\\'s \\\\ odd' port=5433");
        assertThat(Conninfo.parse(made)).containsExactly(entry("dbname", "app"), entry("user", "me"),
                entry("application_name", "my app"), entry("password", "it's \\ odd"), entry("port", "5433"));
        assertThat(Conninfo.make("", Map.of("dbname", ""))).isEqualTo("dbname=''");
        Map<String, Object> bad = new HashMap<>();
        bad.put("hots", "x");
        assertThatThrownBy(() -> Conninfo.make("", bad)).isInstanceOf(ProgrammingException.class).hasMessageContaining("\"host\"");
    }

    @Test
    void randomValuesSurviveMakeThenParse() {
        java.util.Random rnd = new java.util.Random(42);
        String alphabet = "ab '\\\"=,:@/%?&\t☃";
        for (int i = 0; i < 2_000; i++) {
            StringBuilder v = new StringBuilder();
            for (int n = rnd.nextInt(12); n > 0; n--) {
                v.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String made = Conninfo.make(Map.of("password", v.toString(), "options", v + "x"));
            assertThat(Conninfo.parse(made)).as(made).containsEntry("password", v.toString()).containsEntry("options", v + "x");
        }
    }
}
