package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConninfoTest {

    @Test
    void parsesKeyValueWithQuotesAndEscapes() {
        assertThat(Conninfo.parse("host=db.example port = 6543 password='it\\'s a \\\\ secret' user=bob dbname=x"))
                .containsExactly(
                        Map.entry("host", "db.example"), Map.entry("port", "6543"),
                        Map.entry("password", "it's a \\ secret"), Map.entry("user", "bob"), Map.entry("dbname", "x"));
    }

    @Test
    void parsesUriWithPercentEncodingAndParameters() {
        assertThat(Conninfo.parse("postgresql://al%40ce:p%2Fw@[::1]:6000/my%20db?sslmode=require&application_name=a+b"))
                .containsEntry("user", "al@ce").containsEntry("password", "p/w")
                .containsEntry("host", "::1").containsEntry("port", "6000").containsEntry("dbname", "my db")
                .containsEntry("sslmode", "require").containsEntry("application_name", "a+b");
        assertThat(Conninfo.parse("postgres://h1:5432,h2:5433/db")).containsEntry("host", "h1").containsEntry("port", "5432");
        assertThat(Conninfo.parse("postgresql://")).isEmpty();
    }

    @Test
    void rejectsMalformedKeyValue() {
        assertThatThrownBy(() -> Conninfo.parse("host")).hasMessageContaining("missing \"=\" after \"host\"");
        assertThatThrownBy(() -> Conninfo.parse("password='open")).hasMessageContaining("unterminated");
    }

    @Test
    void formatQuotesOnlyWhereNeededAndRoundTrips() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("host", "/tmp/sock dir");
        params.put("user", "plain");
        params.put("password", "");
        params.put("options", "-c a=b\\c'd");
        String text = Conninfo.format(params);
        assertThat(text).isEqualTo("host='/tmp/sock dir' user=plain password='' options='-c a=b\\\\c\\'d'");
        assertThat(Conninfo.parse(text)).isEqualTo(params);
    }

    @Test
    void databaseNamesAreSanitisedUniqueAndShortEnough() {
        assertThat(DatabaseNames.unique("MyTest_works", 42, 7)).isEqualTo("t_mytest_works_42_7");
        assertThat(DatabaseNames.unique("Ünïcode & spaces!", 1, 2)).isEqualTo("t_n_code_spaces_1_2");
        String longName = DatabaseNames.unique("x".repeat(200), 123456, 99999);
        assertThat(longName).hasSizeLessThanOrEqualTo(63).endsWith("_123456_99999");
    }
}
