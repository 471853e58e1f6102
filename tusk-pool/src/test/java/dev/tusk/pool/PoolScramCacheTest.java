package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.Tusk;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A pool's close drops the SCRAM keys cached for its reconnects (Tusk.clearAuthCache() says how many it dropped). */
@TuskTest
@Timeout(60)
class PoolScramCacheTest {

    private static String scramLogin(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo(db.scramUser(), db.scramPassword()))) {
            return conn.execute("SELECT current_user").fetchone().getString(0);
        }
    }

    @Test
    void closingAPoolClearsTheScramKeyCache(TestDatabase db) {
        Tusk.clearAuthCache();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo(db.scramUser(), db.scramPassword()))
                .minSize(1).maxSize(1).build()) {
            pool.open();
            String user = pool.withConnection(c -> c.execute("SELECT current_user").fetchone().getString(0));
            assertThat(user).isEqualTo(db.scramUser());
            assertThat(Tusk.clearAuthCache()).as("the pool's login cached its key").isEqualTo(1);
            assertThat(scramLogin(db)).isEqualTo(db.scramUser());
        }
        assertThat(Tusk.clearAuthCache()).as("already cleared by the pool's close").isZero();
    }

    @Test
    void closingAnAsyncPoolClearsTheScramKeyCache(TestDatabase db) throws Exception {
        Tusk.clearAuthCache();
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder()
                .conninfo(db.conninfo(db.scramUser(), db.scramPassword())).minSize(1).maxSize(1).build()) {
            pool.open();
            String user = pool.withConnection(c -> c.execute("SELECT current_user").thenApply(cur -> cur.fetchone().getString(0)))
                    .get(20, TimeUnit.SECONDS);
            assertThat(user).isEqualTo(db.scramUser());
            assertThat(Tusk.clearAuthCache()).as("the pool's login cached its key").isEqualTo(1);
            assertThat(scramLogin(db)).isEqualTo(db.scramUser());
        }
        assertThat(Tusk.clearAuthCache()).as("already cleared by the pool's close").isZero();
    }
}
