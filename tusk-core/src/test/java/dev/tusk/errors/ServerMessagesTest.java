package dev.tusk.errors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tusk.errors.Diagnostic.Field;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerMessagesTest {
    private static Diagnostic diag(Object... fieldValuePairs) {
        Map<Field, String> m = new EnumMap<>(Field.class);
        for (int i = 0; i < fieldValuePairs.length; i += 2) {
            m.put((Field) fieldValuePairs[i], (String) fieldValuePairs[i + 1]);
        }
        return new Diagnostic(m);
    }

    @Test
    void primaryDetailHintInLibpqLayoutWithoutSeverity() {
        Diagnostic d = diag(Field.SEVERITY, "ERROR", Field.SQLSTATE, "23505",
                Field.MESSAGE_PRIMARY, "duplicate key value violates unique constraint \"t_pkey\"",
                Field.MESSAGE_DETAIL, "Key (id)=(1) already exists.",
                Field.MESSAGE_HINT, "Use another id.");
        assertThat(ServerMessages.format(d, null)).isEqualTo(
                "duplicate key value violates unique constraint \"t_pkey\"\n"
                + "DETAIL:  Key (id)=(1) already exists.\n"
                + "HINT:  Use another id.");
        assertThat(SqlState.create(d).getMessage()).isEqualTo(ServerMessages.format(d, null));
    }

    @Test
    void statementPositionWithQueryShowsLineAndCaret() {
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "relation \"nosuch\" does not exist", Field.STATEMENT_POSITION, "15");
        assertThat(ServerMessages.format(d, "SELECT * FROM nosuch")).isEqualTo(
                "relation \"nosuch\" does not exist\n"
                + "LINE 1: SELECT * FROM nosuch\n"
                + "                      ^");
        assertThat(SqlState.create(d, "SELECT * FROM nosuch").getMessage()).contains("LINE 1: SELECT * FROM nosuch");
    }

    @Test
    void statementPositionWithoutQueryIsAppendedAsText() {
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "syntax error at or near \"FORM\"", Field.STATEMENT_POSITION, "10");
        assertThat(ServerMessages.format(d, null)).isEqualTo("syntax error at or near \"FORM\" at character 10");
    }

    @Test
    void positionOnALaterLineCountsLinesWithAnyNewlineConvention() {
        String query = "SELECT a,\r\n  b,\r  nope\nFROM t";
        // characters: "SELECT a,"=9, \r\n -> 11, "  b,"=15, \r -> 16, "  " -> 18, 'n' at index 18 = position 19
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "column \"nope\" does not exist", Field.STATEMENT_POSITION, "19");
        assertThat(ServerMessages.format(d, query)).isEqualTo(
                "column \"nope\" does not exist\n"
                + "LINE 3:   nope\n"
                + "          ^");
    }

    @Test
    void positionAtEndOfInputPutsTheCaretAfterTheLastCharacter() {
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "syntax error at end of input", Field.STATEMENT_POSITION, "13");
        assertThat(ServerMessages.format(d, "SELECT * FRO")).endsWith(
                "LINE 1: SELECT * FRO\n"
                + "                    ^");
        Diagnostic beyond = diag(Field.MESSAGE_PRIMARY, "x", Field.STATEMENT_POSITION, "999");
        assertThat(ServerMessages.format(beyond, "SELECT")).isEqualTo("x\nLINE 1: SELECT\n              ^");
    }

    @Test
    void tabsShowAsSpacesSoTheCaretLinesUp() {
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "m", Field.STATEMENT_POSITION, "8");
        assertThat(ServerMessages.format(d, "SELECT\tfoo")).isEqualTo("m\nLINE 1: SELECT foo\n               ^");
    }

    @Test
    void longLineIsCutOnTheRightWhenTheCaretIsNearTheStart() {
        String query = "SELECT nosuch, " + "x".repeat(100);
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "m", Field.STATEMENT_POSITION, "8");
        String[] lines = ServerMessages.format(d, query).split("\n");
        assertThat(lines[1]).isEqualTo("LINE 1: " + query.substring(0, 60) + "...");
        assertThat(lines[2]).isEqualTo(" ".repeat(15) + "^");
    }

    @Test
    void longLineIsCutOnBothSidesAroundAFarCaret() {
        String query = "a".repeat(100) + "NOSUCH" + "b".repeat(100);
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "m", Field.STATEMENT_POSITION, "101");
        String[] lines = ServerMessages.format(d, query).split("\n");
        // 10 characters kept right of the caret, 60 shown in all.
        assertThat(lines[1]).isEqualTo("LINE 1: ..." + "a".repeat(50) + "NOSUCHbbbb" + "...");
        int caret = lines[2].indexOf('^');
        assertThat(lines[1].charAt(caret)).isEqualTo('N');
        assertThat(lines[2].trim()).isEqualTo("^");
    }

    @Test
    void nonBmpCharactersCountAsOneCharacterLikeTheServerCounts() {
        String query = "SELECT '😀' nope";
        // S,E,L,E,C,T,space,',😀,',space = 11 characters; position 12 is 'n'
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "m", Field.STATEMENT_POSITION, "12");
        String[] lines = ServerMessages.format(d, query).split("\n");
        assertThat(lines[1]).isEqualTo("LINE 1: SELECT '😀' nope");
        assertThat(lines[2]).isEqualTo(" ".repeat(8 + 11) + "^");
    }

    @Test
    void internalQueryGetsTheDisplayAndAQueryLineThenContext() {
        Diagnostic d = diag(Field.MESSAGE_PRIMARY, "column \"y\" does not exist",
                Field.INTERNAL_POSITION, "8", Field.INTERNAL_QUERY, "SELECT y FROM t",
                Field.CONTEXT, "PL/pgSQL function f() line 3 at RETURN");
        assertThat(ServerMessages.format(d, "SELECT f()")).isEqualTo(
                "column \"y\" does not exist\n"
                + "LINE 1: SELECT y FROM t\n"
                + "               ^\n"
                + "QUERY:  SELECT y FROM t\n"
                + "CONTEXT:  PL/pgSQL function f() line 3 at RETURN");
    }

    @Test
    void garbagePositionsAreIgnoredNotThrown() {
        for (String p : new String[] {"abc", "-5", "0", "", "99999999999999"}) {
            Diagnostic d = diag(Field.MESSAGE_PRIMARY, "m", Field.STATEMENT_POSITION, p);
            assertThat(ServerMessages.format(d, "SELECT 1")).as(p).isEqualTo("m");
        }
    }

    @Test
    void missingPrimaryMessageSaysSoWithTheSqlstate() {
        assertThat(ServerMessages.format(diag(Field.SQLSTATE, "XX000"), null))
                .isEqualTo("the server reported an error without a message (SQLSTATE XX000)");
        assertThat(ServerMessages.format(Diagnostic.EMPTY, null))
                .isEqualTo("the server reported an error without a message");
    }
}
