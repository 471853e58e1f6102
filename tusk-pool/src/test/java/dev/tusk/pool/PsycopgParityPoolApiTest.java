package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.CursorFactory;
import dev.tusk.Row;
import dev.tusk.RowFactory;
import dev.tusk.Rows;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30's missing pool API, ported from psycopg_pool's {@code tests/pool/test_pool.py}, {@code test_pool_async.py}
 * and {@code test_null_pool.py}, on both pools; and the connection attributes a borrower changed, put back when
 * the connection returns.
 */
@Timeout(60)
@TuskTest
class PsycopgParityPoolApiTest {

    /**
     * The settable connection attributes (psycopg's prepare_threshold, prepared_max, row_factory, cursor_factory)
     * a borrower changed are those of the pool's options again for the next borrower, as the other client-side
     * settings (autocommit...) are.
     */
    @Test
    @SuppressWarnings("unchecked")
    void attributesABorrowerChangedAreResetForTheNext(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            try (Connection<Row> c = pool.connection()) {
                c.setPrepareThreshold(null);
                c.setPreparedMax(3);
                c.setCursorFactory(CursorFactory.CLIENT_CURSOR);
                c.setRowFactory((RowFactory<Row>) (RowFactory<?>) Rows.row());
                assertThat(c.cursorFactory()).isEqualTo(CursorFactory.CLIENT_CURSOR);
            }
            try (Connection<Row> c = pool.connection()) {
                assertThat(c.prepareThreshold()).isEqualTo(5);
                assertThat(c.preparedMax()).isEqualTo(100);
                assertThat(c.cursorFactory()).isEqualTo(CursorFactory.CURSOR);
                assertThat(c.cursor()).isExactlyInstanceOf(dev.tusk.Cursor.class);
            }
        }
        AsyncConnectionPool<Row> apool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build();
        try {
            apool.open();
            AsyncConnection<Row> c = apool.connection().get(20, TimeUnit.SECONDS);
            c.setPrepareThreshold(0);
            c.setCursorFactory(CursorFactory.RAW_CURSOR);
            assertThat(c.cursor()).isExactlyInstanceOf(dev.tusk.AsyncRawCursor.class);
            c.execute("SELECT $1::int", 1).get(20, TimeUnit.SECONDS);
            c.close();
            AsyncConnection<Row> d = apool.connection().get(20, TimeUnit.SECONDS);
            assertThat(d.prepareThreshold()).isEqualTo(5);
            assertThat(d.cursorFactory()).isEqualTo(CursorFactory.CURSOR);
            assertThat(d.cursor()).isExactlyInstanceOf(dev.tusk.AsyncCursor.class);
            d.close();
        } finally {
            apool.close();
        }
    }
}
