package dev.tusk.pool;

import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 30's pool findings, ported from psycopg_pool's {@code tests/pool/test_pool_common.py}. */
@Timeout(60)
@TuskTest
class PsycopgParityPoolTest {
    /** psycopg test_pool_common.py::test_open_explicit: {@code p.closed} until open(), and after close(). */
    @Test
    void aPoolIsClosedUntilOpened(TestDatabase db) {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).build()) {
            assertThat(pool.isClosed()).isTrue();
            pool.open();
            assertThat(pool.isClosed()).isFalse();
            pool.waitReady(Duration.ofSeconds(20));
            pool.close();
            assertThat(pool.isClosed()).isTrue();
        }
        AsyncConnectionPool<Row> apool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).build();
        try {
            assertThat(apool.isClosed()).isTrue();
            apool.open();
            assertThat(apool.isClosed()).isFalse();
        } finally {
            apool.close();
        }
        assertThat(apool.isClosed()).isTrue();
    }
}
