package dev.tusk.jdbc;

import dev.tusk.jdbc.internal.SqlRewriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class SqlRewriterTest {
    private static String rw(String sql) throws SQLException {
        return SqlRewriter.rewrite(sql, true, true).sql();
    }

    @Test
    void placeholdersAreNumberedOutsideQuotesCommentsAndDollarQuotes() throws SQLException {
        assertThat(rw("SELECT ?, '?', \"?\", E'\\'?', $$?$$, $tag$ ? $tag$ -- ?\n, /* ? /* ? */ */ ? FROM t WHERE a = ?"))
                .isEqualTo("SELECT $1, '?', \"?\", E'\\'?', $$?$$, $tag$ ? $tag$ -- ?\n, /* ? /* ? */ */ $2 FROM t WHERE a = $3");
        assertThat(SqlRewriter.rewrite("SELECT ? + ?", true, true).parameterCount()).isEqualTo(2);
    }

    @Test
    void doubledQuestionMarkIsTheOperator() throws SQLException {
        assertThat(rw("SELECT '{\"a\":1}'::jsonb ?? 'a', ?")).isEqualTo("SELECT '{\"a\":1}'::jsonb ? 'a', $1");
    }

    @Test
    void plainStatementsKeepTheirQuestionMarks() throws SQLException {
        assertThat(SqlRewriter.rewrite("SELECT '{}'::jsonb ? 'a'", false, true).sql()).isEqualTo("SELECT '{}'::jsonb ? 'a'");
    }

    @Test
    void jdbcEscapesAreTranslated() throws SQLException {
        assertThat(rw("SELECT {fn ucase(name)}, {fn concat('a', ?)}, {d '2024-01-31'}, {t '10:00:00'}, {ts '2024-01-31 10:00:00'}"))
                .isEqualTo("SELECT upper(name), ('a' || $1), DATE '2024-01-31', TIME '10:00:00', TIMESTAMP '2024-01-31 10:00:00'");
        assertThat(rw("SELECT * FROM {oj a LEFT OUTER JOIN b ON a.id = b.id} WHERE x LIKE 'a\\_%' {escape '\\'}"))
                .isEqualTo("SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.id WHERE x LIKE 'a\\_%' ESCAPE '\\'");
        assertThat(rw("SELECT {fn ucase({fn lcase(?)})}")).isEqualTo("SELECT upper(lower($1))");
        assertThat(rw("SELECT '{fn x}', {fn now()}")).isEqualTo("SELECT '{fn x}', now()");
    }

    @Test
    void callEscapes() throws SQLException {
        SqlRewriter.Result r = SqlRewriter.rewrite("{call f(?, ?)}", true, true);
        assertThat(r.sql()).isEqualTo("SELECT * FROM f($1, $2) AS result");
        r = SqlRewriter.rewrite("{? = call f(?)}", true, true);
        assertThat(r.sql()).isEqualTo("SELECT * FROM f($1) AS result");
        assertThat(r.callResult()).isTrue();
        assertThat(r.parameterCount()).isEqualTo(1);
        assertThat(SqlRewriter.rewrite("{call p(?)}", true, true, "call").sql()).isEqualTo("CALL p($1)");
    }

    @Test
    void statementKindsAndReturning() throws SQLException {
        SqlRewriter.Result r = SqlRewriter.rewrite("/* c */ insert into t(a) values (?) returning id", true, true);
        assertThat(r.keyword()).isEqualTo("INSERT");
        assertThat(r.hasReturning()).isTrue();
        assertThat(SqlRewriter.rewrite("insert into t(returning_x) values (1)", true, true).hasReturning()).isFalse();
        assertThat(SqlRewriter.rewrite("select 1; select 2;", true, true).statements()).isEqualTo(2);
    }

    @Test
    void unterminatedQuotesAreSyntaxErrors() {
        assertThatThrownBy(() -> rw("SELECT 'abc")).isInstanceOf(java.sql.SQLSyntaxErrorException.class);
        assertThatThrownBy(() -> rw("SELECT {fn ucase(x)")).isInstanceOf(java.sql.SQLSyntaxErrorException.class);
    }
}
