package dev.tusk.sql;

import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifierTest {
    @Test
    void singleAndDottedNamesAreQuoted() {
        assertThat(new Identifier("users").asString()).isEqualTo("\"users\"");
        assertThat(new Identifier("app", "users").asString()).isEqualTo("\"app\".\"users\"");
        assertThat(new Identifier("db", "app", "Users").asString()).isEqualTo("\"db\".\"app\".\"Users\"");
    }

    @Test
    void doubleQuotesAreDoubled() {
        assertThat(new Identifier("say \"hi\"").asString()).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(new Identifier("\"").asString()).isEqualTo("\"\"\"\"");
    }

    @Test
    void otherCharactersPassUnchanged() {
        assertThat(new Identifier("it's").asString()).isEqualTo("\"it's\"");
        assertThat(new Identifier("back\\slash").asString()).isEqualTo("\"back\\slash\"");
        assertThat(new Identifier("a.b").asString()).isEqualTo("\"a.b\"");
        assertThat(new Identifier("täble ✓ “x”").asString()).isEqualTo("\"täble ✓ “x”\"");
        assertThat(new Identifier("new\nline").asString()).isEqualTo("\"new\nline\"");
    }

    @Test
    void nulIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> new Identifier("bad\0name"))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("NUL")
                .hasMessageContaining("index 3");
    }

    @Test
    void emptyOrMissingPartsAreRejected() {
        assertThatThrownBy(Identifier::new).isInstanceOf(ProgrammingException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new Identifier("a", "")).isInstanceOf(ProgrammingException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> new Identifier("a", null)).isInstanceOf(ProgrammingException.class).hasMessageContaining("null");
    }

    @Test
    void percentIsDoubledOnlyInTheTemplateForm() {
        Identifier id = new Identifier("100%");
        assertThat(id.asString()).isEqualTo("\"100%\"");
        assertThat(id.asTemplate()).isEqualTo("\"100%%\"");
    }

    @Test
    void valueSemanticsAndDebugForm() {
        assertThat(new Identifier("a", "b")).isEqualTo(new Identifier("a", "b")).hasSameHashCodeAs(new Identifier("a", "b"));
        assertThat(new Identifier("a", "b")).isNotEqualTo(new Identifier("a.b"));
        assertThat(new Identifier("a", "b").parts()).containsExactly("a", "b");
        assertThat(new Identifier("a", "b\"c")).hasToString("Identifier(\"a\", \"b\\\"c\")");
    }

    @Test
    void changingTheCallersArrayDoesNotChangeTheIdentifier() {
        String[] parts = {"a", "b"};
        Identifier id = new Identifier(parts);
        parts[1] = "x\"; DROP TABLE t; --";
        assertThat(id.asString()).isEqualTo("\"a\".\"b\"");
    }
}
