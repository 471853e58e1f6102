package dev.tusk.pool;

import dev.tusk.Row;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** psycopg_pool base.py _check_size ("if min_size is 0 max_size must be greater than 0"): min_size 0 with max_size 0 is refused. */
    @Test
    void minSizeZeroWithMaxSizeZeroIsRefused(TestDatabase db) {
        assertThatThrownBy(() -> ConnectionPool.builder().conninfo(db.conninfo()).minSize(0).maxSize(0).build())
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("maxSize");
        assertThatThrownBy(() -> AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(0).maxSize(0).build())
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("maxSize");
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(0).maxSize(1).build()) {
            assertThat(pool.isClosed()).isTrue(); // a valid pool of no idle connections
        }
    }

    /** psycopg test_pool.py::test_stats_usage (requests_wait_ms) with a wait that times out: it is counted too. */
    @Test
    void aTimedOutWaitIsCountedInTheWaitStat(TestDatabase db) {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            dev.tusk.Connection<Row> held = pool.getconn();
            try {
                assertThatThrownBy(() -> pool.getconn(Duration.ofMillis(300))).isInstanceOf(PoolTimeout.class);
            } finally {
                pool.putconn(held);
            }
            assertThat(pool.getStats().get("requests_wait_ms")).isGreaterThanOrEqualTo(250L);
            assertThat(pool.getStats().get("requests_errors")).isEqualTo(1L);
        }
    }

    /** The async pool's timed-out wait is counted as the blocking pool's (psycopg test_pool_common.py::test_stats_usage runs on both pool classes). */
    @Test
    void anAsyncTimedOutWaitIsCountedInTheWaitStat(TestDatabase db) {
        AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build();
        try {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20)).join();
            dev.tusk.AsyncConnection<Row> held = pool.connection().join();
            try {
                assertThatThrownBy(() -> pool.connection(Duration.ofMillis(300)).join())
                        .hasCauseInstanceOf(PoolTimeout.class);
            } finally {
                pool.putconn(held);
            }
            assertThat(pool.getStats().get("requests_wait_ms")).isGreaterThanOrEqualTo(250L);
            assertThat(pool.getStats().get("requests_errors")).isEqualTo(1L);
        } finally {
            pool.close();
        }
    }

    /** psycopg_pool's `name` (base.py: "pool-N" when not given; test_pool_common.py::test_queue_size reads it): the name given, else one of its own. */
    @Test
    void aPoolHasTheNameItWasGivenOrOneOfItsOwn(TestDatabase db) {
        try (ConnectionPool<Row> named = ConnectionPool.builder().conninfo(db.conninfo()).name("mypool").build();
             ConnectionPool<Row> unnamed = ConnectionPool.builder().conninfo(db.conninfo()).build()) {
            assertThat(named.name()).isEqualTo("mypool");
            assertThat(unnamed.name()).isNotBlank().isNotEqualTo("mypool");
        }
        AsyncConnectionPool<Row> named = AsyncConnectionPool.builder().conninfo(db.conninfo()).name("mypool").build();
        AsyncConnectionPool<Row> unnamed = AsyncConnectionPool.builder().conninfo(db.conninfo()).build();
        try {
            assertThat(named.name()).isEqualTo("mypool");
            assertThat(unnamed.name()).isNotBlank().isNotEqualTo(named.name());
        } finally {
            named.close();
            unnamed.close();
        }
    }
}
