package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spring's JdbcTemplate, NamedParameterJdbcTemplate and DataSourceTransactionManager over TuskDataSource. */
@TuskTest
@Timeout(120)
class SpringJdbcTest {
    private static JdbcTemplate template(TestDatabase db) {
        JdbcTemplate t = new JdbcTemplate(Jdbc.dataSource(db));
        t.execute("CREATE TABLE IF NOT EXISTS person (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, born date, score int)");
        return t;
    }

    @Test
    void jdbcTemplateQueriesUpdatesAndBatches(TestDatabase db) {
        JdbcTemplate t = template(db);
        assertThat(t.update("INSERT INTO person (name, born, score) VALUES (?, ?, ?)", "ada", LocalDate.of(1815, 12, 10), 10))
                .isEqualTo(1);
        int[] counts = t.batchUpdate("INSERT INTO person (name, score) VALUES (?, ?)",
                List.of(new Object[] {"bob", 1}, new Object[] {"cy", 2}, new Object[] {"di", null}));
        assertThat(counts).hasSize(3);
        assertThat(t.queryForObject("SELECT count(*) FROM person", Long.class)).isEqualTo(4);
        assertThat(t.queryForObject("SELECT born FROM person WHERE name = ?", LocalDate.class, "ada"))
                .isEqualTo(LocalDate.of(1815, 12, 10));
        List<String> names = t.query("SELECT name FROM person WHERE score IS NOT NULL ORDER BY name", (rs, i) -> rs.getString(1));
        assertThat(names).containsExactly("ada", "bob", "cy");
        Map<String, Object> row = t.queryForMap("SELECT name, score FROM person WHERE name = ?", "di");
        assertThat(row).containsEntry("name", "di").containsEntry("score", null);
        assertThat(t.update("UPDATE person SET score = score + 1 WHERE score IS NOT NULL")).isEqualTo(3);
    }

    @Test
    void generatedKeysThroughAKeyHolder(TestDatabase db) {
        JdbcTemplate t = template(db);
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        t.update(con -> {
            var ps = con.prepareStatement("INSERT INTO person (name) VALUES (?)", new String[] {"id"});
            ps.setString(1, "eve");
            return ps;
        }, keys);
        Number id = keys.getKey();
        assertThat(id).isNotNull();
        assertThat(t.queryForObject("SELECT name FROM person WHERE id = ?", String.class, id.longValue())).isEqualTo("eve");
    }

    @Test
    void namedParameters(TestDatabase db) {
        NamedParameterJdbcTemplate n = new NamedParameterJdbcTemplate(template(db));
        n.update("INSERT INTO person (name, score) VALUES (:name, :score)", Map.of("name", "fay", "score", 7));
        n.update("INSERT INTO person (name, score) VALUES (:name, :score)", new MapSqlParameterSource("name", "gus").addValue("score", null));
        Integer score = n.queryForObject("SELECT score FROM person WHERE name = :name", Map.of("name", "fay"), Integer.class);
        assertThat(score).isEqualTo(7);
        List<String> in = n.queryForList("SELECT name FROM person WHERE name IN (:names) ORDER BY name",
                Map.of("names", List.of("fay", "gus", "nobody")), String.class);
        assertThat(in).containsExactly("fay", "gus");
    }

    @Test
    void sqlStatesAreTranslatedToSpringsExceptions(TestDatabase db) {
        JdbcTemplate t = template(db);
        t.update("INSERT INTO person (name) VALUES ('dup')");
        assertThatThrownBy(() -> t.update("INSERT INTO person (name) VALUES ('dup')")).isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> t.update("INSERT INTO person (name) VALUES (NULL)")).isInstanceOf(DataIntegrityViolationException.class);
        assertThatThrownBy(() -> t.queryForList("SELECT nope FROM person")).isInstanceOf(BadSqlGrammarException.class);
    }

    @Test
    void transactionManagerCommitsAndRollsBackOnError(TestDatabase db) {
        JdbcTemplate t = template(db);
        DataSourceTransactionManager tm = new DataSourceTransactionManager(t.getDataSource());
        TransactionTemplate tx = new TransactionTemplate(tm);
        tx.executeWithoutResult(s -> {
            t.update("INSERT INTO person (name) VALUES ('committed')");
            t.update("INSERT INTO person (name) VALUES ('committed too')");
        });
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            t.update("INSERT INTO person (name) VALUES ('rolled back')");
            throw new IllegalStateException("business rule broken");
        })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            t.update("INSERT INTO person (name) VALUES ('rolled back 2')");
            t.update("INSERT INTO person (name) VALUES ('committed')"); // duplicate: the whole transaction goes
        })).isInstanceOf(DuplicateKeyException.class);
        assertThat(t.queryForList("SELECT name FROM person ORDER BY name", String.class))
                .containsExactly("committed", "committed too");
        // a nested savepoint (PROPAGATION_NESTED) rolls back alone
        TransactionTemplate nested = new TransactionTemplate(tm);
        nested.setPropagationBehavior(TransactionTemplate.PROPAGATION_NESTED);
        tx.executeWithoutResult(s -> {
            t.update("INSERT INTO person (name) VALUES ('outer')");
            try {
                nested.executeWithoutResult(s2 -> {
                    t.update("INSERT INTO person (name) VALUES ('inner')");
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                // the outer goes on
            }
        });
        assertThat(t.queryForList("SELECT name FROM person WHERE name IN ('outer', 'inner')", String.class)).containsExactly("outer");
    }
}
