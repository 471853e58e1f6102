package dev.tusk.sql;

import dev.tusk.adapt.Format;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormatTest {
    @Test
    void automaticNumbering() {
        Composed q = new SQL("SELECT {} FROM {} WHERE id = {}")
                .format(new Identifier("name"), new Identifier("app", "users"), 42);
        assertThat(q.asString()).isEqualTo("SELECT \"name\" FROM \"app\".\"users\" WHERE id = 42");
    }

    @Test
    void manualNumberingMayRepeatAndReorder() {
        Composed q = new SQL("SELECT {1} FROM {0} ORDER BY {1}").format(new Identifier("t"), new Identifier("c"));
        assertThat(q.asString()).isEqualTo("SELECT \"c\" FROM \"t\" ORDER BY \"c\"");
    }

    @Test
    void namedFields() {
        Map<String, Object> args = new HashMap<>();
        args.put("t", new Identifier("users"));
        args.put("v", "it's");
        args.put("n", null);
        Composed q = new SQL("SELECT * FROM {t} WHERE a = {v} OR a = {v} OR b IS {n}").format(args);
        assertThat(q.asString()).isEqualTo("SELECT * FROM \"users\" WHERE a = 'it''s' OR a = 'it''s' OR b IS NULL");
    }

    @Test
    void doubledBracesAreLiteralBraces() {
        assertThat(new SQL("SELECT '{{}}', {}, '{{x}}'").format(1).asString()).isEqualTo("SELECT '{}', 1, '{x}'");
        assertThat(new SQL("{{{}}}").format(new Identifier("a")).asString()).isEqualTo("{\"a\"}");
        assertThat(new SQL("no fields }} {{").format().asString()).isEqualTo("no fields } {");
    }

    @Test
    void nonComposableArgumentsBecomeLiterals() {
        Composed q = new SQL("{}{}").format("x", new SQL("y"));
        assertThat(q.parts()).containsExactly(new Literal("x"), new SQL("y"));
        assertThat(new SQL("SELECT {}").format((Object) null).asString()).isEqualTo("SELECT NULL");
        assertThat(new SQL("SELECT {}").format((Object[]) null).asString()).isEqualTo("SELECT NULL");
    }

    @Test
    void unusedArgumentsAreIgnoredAsInPsycopg() {
        assertThat(new SQL("SELECT {}").format(1, 2).asString()).isEqualTo("SELECT 1");
    }

    @Test
    void missingPositionalArgument() {
        assertThatThrownBy(() -> new SQL("SELECT {}, {}").format(1))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("#1").hasMessageContaining("got 1 argument");
        assertThatThrownBy(() -> new SQL("SELECT {3}").format(1, 2))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("{3}");
    }

    @Test
    void mixingAutomaticAndManualNumbering() {
        assertThatThrownBy(() -> new SQL("{} {0}").format(1)).isInstanceOf(ProgrammingException.class).hasMessageContaining("mixes");
        assertThatThrownBy(() -> new SQL("{0} {}").format(1)).isInstanceOf(ProgrammingException.class).hasMessageContaining("mixes");
    }

    @Test
    void unknownOrMisplacedNames() {
        assertThatThrownBy(() -> new SQL("{a} {b}").format(Map.of("a", 1)))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("'b'");
        assertThatThrownBy(() -> new SQL("{a}").format(1))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("pass a Map");
        assertThatThrownBy(() -> new SQL("{}").format(Map.of("a", 1)))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("got a Map");
    }

    @Test
    void malformedTemplates() {
        assertThatThrownBy(() -> new SQL("SELECT {").format()).isInstanceOf(ProgrammingException.class).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> new SQL("SELECT }").format()).isInstanceOf(ProgrammingException.class).hasMessageContaining("single '}'");
        assertThatThrownBy(() -> new SQL("{!r}").format(1)).isInstanceOf(ProgrammingException.class).hasMessageContaining("conversions");
        assertThatThrownBy(() -> new SQL("{0:>10}").format(1)).isInstanceOf(ProgrammingException.class).hasMessageContaining("format specs");
        assertThatThrownBy(() -> new SQL("{a.b}").format(Map.of("a", 1))).isInstanceOf(ProgrammingException.class).hasMessageContaining("attribute");
        assertThatThrownBy(() -> new SQL("{{{}").format(Map.of())).isInstanceOf(ProgrammingException.class);
    }

    @Test
    void formatDoesNotReinterpretBracesInsideArguments() {
        Composed q = new SQL("SELECT {}, {}").format("{0} {}", new Identifier("{x}"));
        assertThat(q.asString()).isEqualTo("SELECT '{0} {}', \"{x}\"");
    }

    @Test
    void joinPutsTheSeparatorBetweenParts() {
        assertThat(new SQL(", ").join(new Identifier("a"), new Identifier("b"), new Identifier("c")).asString())
                .isEqualTo("\"a\", \"b\", \"c\"");
        assertThat(new SQL(", ").join(List.of(new Identifier("a"))).asString()).isEqualTo("\"a\"");
        assertThat(new SQL(", ").join(List.of()).asString()).isEmpty();
        List<String> cols = List.of("id", "na\"me");
        Composed insert = new SQL("INSERT INTO t ({}) VALUES ({})").format(
                new SQL(", ").join(cols.stream().map(Identifier::new).toList()),
                new SQL(", ").join(cols.stream().map(c -> new Placeholder()).toList()));
        assertThat(insert.asString()).isEqualTo("INSERT INTO t (\"id\", \"na\"\"me\") VALUES (%s, %s)");
    }

    @Test
    void composedJoinAndConcatenation() {
        Composed c = new Composed(new Identifier("a"), new Literal(1));
        assertThat(c.join(" AND ").asString()).isEqualTo("\"a\" AND 1");
        assertThat(c.join(new SQL("|")).asString()).isEqualTo("\"a\"|1");
        assertThat(new Composed(List.of("x", 2)).asString()).isEqualTo("'x'2");
        Composed plus = new SQL("SELECT ").plus(new Literal(1)).plus(new Composed(new SQL(", "), new Literal(2)));
        assertThat(plus.parts()).hasSize(4);
        assertThat(plus.asString()).isEqualTo("SELECT 1, 2");
        assertThat(new SQL("?").times(3).asString()).isEqualTo("???");
        assertThat(new SQL("?").times(0).asString()).isEmpty();
        assertThat(c).containsExactly(new Identifier("a"), new Literal(1));
        assertThat(c).isEqualTo(new Composed(List.of(new Identifier("a"), new Literal(1))));
    }

    @Test
    void placeholders() {
        assertThat(new Placeholder().asString()).isEqualTo("%s");
        assertThat(new Placeholder("name").asString()).isEqualTo("%(name)s");
        assertThat(new Placeholder(Format.TEXT).asString()).isEqualTo("%t");
        assertThat(new Placeholder(Format.BINARY).asString()).isEqualTo("%b");
        assertThat(new Placeholder("n", Format.BINARY).asString()).isEqualTo("%(n)b");
        assertThat(new Placeholder("").asString()).isEqualTo("%s");
        assertThat(new Placeholder("x").asTemplate()).isEqualTo("%(x)s");
        assertThatThrownBy(() -> new Placeholder("a)s")).isInstanceOf(ProgrammingException.class).hasMessageContaining("')'");
        assertThatThrownBy(() -> new Placeholder("a%")).isInstanceOf(ProgrammingException.class);
    }

    @Test
    void placeholderDetection() {
        assertThat(new SQL("SELECT %s").hasPlaceholders()).isFalse();
        assertThat(new SQL("SELECT {}").format(new Placeholder()).hasPlaceholders()).isTrue();
        assertThat(new SQL("SELECT {}").format(new Composed(new Literal(1), new Placeholder("x"))).hasPlaceholders()).isTrue();
        assertThat(new SQL("SELECT {}").format("%s").hasPlaceholders()).isFalse();
    }

    @Test
    void sqlTextIsNeverEscaped() {
        assertThat(new SQL("SELECT 'a' || %s -- \"x\"").asString()).isEqualTo("SELECT 'a' || %s -- \"x\"");
        assertThat(new SQL("%s").asTemplate()).isEqualTo("%s");
        assertThat(new SQL("x")).hasToString("SQL(\"x\")");
    }
}
