package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * trust #10: a borrower that changes client_encoding breaks its connection (Tusk speaks UTF-8 only), so the pool
 * discards it rather than lending the next borrower a session in another encoding.
 */
@TuskTest
@Timeout(60)
class PoolClientEncodingTest {

    // trust #10
    @Test
    void aConnectionWhoseClientEncodingWasChangedIsNotLentAgain(TestDatabase db) {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo() + " application_name=p_enc")
                .minSize(1).maxSize(1).timeout(Duration.ofSeconds(20)).open(true).build()) {
            int firstPid;
            try (Connection<Row> c = pool.connection()) {
                firstPid = c.info().backendPid();
                assertThat(catchThrowable(() -> c.execute("SET client_encoding TO 'LATIN1'")))
                        .isInstanceOf(OperationalException.class).hasMessageContaining("client_encoding");
                assertThat(c.isBroken()).isTrue();
            }
            try (Connection<Row> c = pool.connection()) {
                assertThat(c.info().backendPid()).as("a new connection").isNotEqualTo(firstPid);
                assertThat(c.execute("SHOW client_encoding").fetchone().getString(0)).isEqualTo("UTF8");
                assertThat(c.execute("SELECT %s::text", "é").fetchone().getString(0)).isEqualTo("é");
            }
        }
    }

    // trust #10
    @Test
    void theAsyncPoolDiscardsItToo(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo() + " application_name=ap_enc")
                .minSize(1).maxSize(1).timeout(Duration.ofSeconds(20)).build()) {
            pool.open();
            AsyncConnection<Row> c = pool.connection().get(20, TimeUnit.SECONDS);
            int firstPid = c.info().backendPid();
            Throwable t = catchThrowable(() -> c.execute("SET client_encoding TO 'LATIN1'").join());
            assertThat(t).isInstanceOf(CompletionException.class).cause().isInstanceOf(OperationalException.class);
            assertThat(c.isBroken()).isTrue();
            c.close();
            AsyncConnection<Row> next = pool.connection().get(20, TimeUnit.SECONDS);
            try {
                assertThat(next.info().backendPid()).isNotEqualTo(firstPid);
                assertThat(next.execute("SHOW client_encoding").join().fetchone().getString(0)).isEqualTo("UTF8");
            } finally {
                next.close();
            }
        }
    }
}
