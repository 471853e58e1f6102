package dev.tusk.internal.query;

import dev.tusk.adapt.Format;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryTemplateTest {
    @Test
    void positionalPlaceholdersBecomeNumberedParameters() {
        QueryTemplate t = QueryTemplate.parse("SELECT %s, %t, %b WHERE x LIKE 'a%%'");
        assertThat(t.sql()).isEqualTo("SELECT $1, $2, $3 WHERE x LIKE 'a%'");
        assertThat(t.parameterCount()).isEqualTo(3);
        assertThat(t.format(0)).isNull();
        assertThat(t.format(1)).isEqualTo(Format.TEXT);
        assertThat(t.format(2)).isEqualTo(Format.BINARY);
        assertThat(t.isNamed()).isFalse();
    }

    @Test
    void aNameUsedTwiceIsOneParameter() {
        QueryTemplate t = QueryTemplate.parse("SELECT %(a)s, %(b)s, %(a)s");
        assertThat(t.sql()).isEqualTo("SELECT $1, $2, $1");
        assertThat(t.parameterCount()).isEqualTo(2);
        assertThat(t.name(0)).isEqualTo("a");
        assertThat(t.name(1)).isEqualTo("b");
    }

    @Test
    void badPlaceholdersAreClearErrors() {
        assertThatThrownBy(() -> QueryTemplate.parse("SELECT %d")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("'%d'");
        assertThatThrownBy(() -> QueryTemplate.parse("SELECT 5 %")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("%%");
        assertThatThrownBy(() -> QueryTemplate.parse("SELECT %s, %(a)s")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("mixed");
        assertThatThrownBy(() -> QueryTemplate.parse("SELECT %(a")).isInstanceOf(ProgrammingException.class);
    }
}
