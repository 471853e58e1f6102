package dev.tusk.pool;

import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reset a pool runs on a used connection (which includes DISCARD TEMP and DISCARD SEQUENCES) keeps the
 * driver's own prepared statements: the rule that forgets them after DROP/ALTER/ROLLBACK/DISCARD applies to the
 * user's statements, not to the pool's reset.
 */
@Timeout(60)
@TuskTest
class PooledPreparedStatementsTest {
    @Test
    void aStatementPreparedOnALeaseStaysPreparedForTheNextLease(TestDatabase db) {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            try (var conn = pool.connection()) {
                for (int i = 0; i < 6; i++) {
                    conn.execute("SELECT %s::int", i).fetchone();
                }
                assertThat(ownPrepared(conn)).isEqualTo(1);
            }
            try (var conn = pool.connection()) {
                assertThat(ownPrepared(conn)).isEqualTo(1);
            }
        }
    }

    private static long ownPrepared(dev.tusk.Connection<Row> conn) {
        return conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql").fetchone().getLong(0);
    }
}
