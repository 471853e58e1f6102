package dev.tusk.sql;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a value or a name contains, the rendered query has the same tokens as the template, and the
 * literal / identifier token decodes back to exactly the input. Checked with an independent tokenizer.
 */
class HostileValuesTest {
    static final List<String> HOSTILE = List.of(
            "'; DROP TABLE x; --",
            "\\'; DROP TABLE x; --",
            "\\",
            "'",
            "\"",
            "\"; DROP TABLE x; --",
            "' OR '1'='1",
            "*/ SELECT 1 /*",
            "$$; DROP TABLE x; $$",
            "$tag$",
            "’ OR ’1’=’1", // unicode quotes are ordinary characters
            "“quoted”",
            "ʼ",
            "E'\\\\'",
            "%s %(x)s %%",
            "{0} {} {{",
            "line1\nline2\r\n\t",
            "-- comment",
            "U&'\\0041'");

    @Test
    void hostileLiteralsStayOneStringConstant() {
        for (String s : HOSTILE) {
            assertSingleToken(new SQL("SELECT {} AS v").format(s).asString(), SqlLexer.Kind.STRING, s);
        }
    }

    @Test
    void hostileIdentifiersStayOneQuotedName() {
        for (String s : HOSTILE) {
            assertSingleToken(new SQL("SELECT {} AS v").format(new Identifier(s)).asString(), SqlLexer.Kind.IDENT, s);
        }
    }

    @Test
    void hostileDottedIdentifiersKeepTheirParts() {
        String rendered = new Identifier("a\".\"b", "c").asString();
        List<SqlLexer.Token> tokens = SqlLexer.tokenize(rendered);
        assertThat(tokens).containsExactly(
                new SqlLexer.Token(SqlLexer.Kind.IDENT, "a\".\"b"),
                new SqlLexer.Token(SqlLexer.Kind.OTHER, "."),
                new SqlLexer.Token(SqlLexer.Kind.IDENT, "c"));
    }

    @RepeatedTest(20)
    void randomStringsFromDangerousCharacters() {
        Random rnd = new Random();
        long seed = rnd.nextLong();
        rnd.setSeed(seed);
        String alphabet = "'\"\\;-/*$%{}() Ee\n’“”ʼ\u2028x0";
        for (int k = 0; k < 500; k++) {
            int len = rnd.nextInt(12);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < len; i++) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String s = b.toString();
            String context = "seed " + seed + ", value " + SqlLexerQuote.show(s);
            assertSingleToken(new SQL("SELECT {} AS v").format(s).asString(), SqlLexer.Kind.STRING, s, context);
            if (!s.isEmpty()) {
                assertSingleToken(new SQL("SELECT {} AS v").format(new Identifier(s)).asString(), SqlLexer.Kind.IDENT, s, context);
            }
        }
    }

    private static void assertSingleToken(String sql, SqlLexer.Kind kind, String value) {
        assertSingleToken(sql, kind, value, sql);
    }

    private static void assertSingleToken(String sql, SqlLexer.Kind kind, String value, String context) {
        List<SqlLexer.Token> tokens = SqlLexer.tokenize(sql);
        assertThat(tokens).as(context).containsExactly(
                new SqlLexer.Token(SqlLexer.Kind.WORD, "SELECT"),
                new SqlLexer.Token(kind, value),
                new SqlLexer.Token(SqlLexer.Kind.WORD, "AS"),
                new SqlLexer.Token(SqlLexer.Kind.WORD, "v"));
    }

    /** Shows a string with its escapes, for failure messages. */
    static final class SqlLexerQuote {
        static String show(String s) {
            return Quoting.javaString(s);
        }
    }
}
