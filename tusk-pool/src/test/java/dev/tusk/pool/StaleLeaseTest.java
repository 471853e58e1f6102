package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.errors.InterfaceException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A reference to a pooled connection kept after its close() (trust #15): every use fails with an
 * InterfaceException, whoever holds the connection now, and a second close() does nothing.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StaleLeaseTest {

    private static ConnectionPool<Row> pool(TestDatabase db) {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(10)).open(true).build();
        pool.waitReady(Duration.ofSeconds(20));
        return pool;
    }

    // trust #15
    @Test
    void aStaleReferenceCannotCommitTheNextBorrowersTransaction(TestDatabase db) {
        db.admin("CREATE TABLE IF NOT EXISTS stale_t (id int)");
        db.admin("TRUNCATE stale_t");
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            a.close();
            try (Connection<Row> b = pool.connection()) {
                b.execute("INSERT INTO stale_t VALUES (1)");
                assertThatThrownBy(a::commit).isInstanceOf(InterfaceException.class).hasMessageContaining("given back");
                assertThatThrownBy(() -> a.execute("SELECT 1")).isInstanceOf(InterfaceException.class);
                assertThat(a.isClosed()).isTrue();
                assertThat(db.adminQuery("SELECT count(*) FROM stale_t")).as("b's insert not committed by a").isEqualTo("0");
                b.rollback();
            }
            assertThat(db.adminQuery("SELECT count(*) FROM stale_t")).isEqualTo("0");
        }
    }

    // trust #15
    @Test
    void aSecondCloseOfAStaleLeaseDoesNotGiveTheNextBorrowersConnectionAway(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            a.close();
            Connection<Row> b = pool.connection();
            a.close(); // a no-op: b still holds the connection
            assertThatThrownBy(() -> pool.connection(Duration.ofMillis(200))).isInstanceOf(PoolTimeout.class);
            assertThat(b.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            assertThatThrownBy(() -> pool.putconn(a)).isInstanceOf(dev.tusk.errors.ProgrammingException.class);
            b.close();
            try (Connection<Row> c = pool.connection(Duration.ofSeconds(5))) {
                assertThat(c.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
            }
        }
    }

    // trust #15
    @Test
    void aCursorOfAnEndedLeaseIsRefused(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            Cursor<Row> cur = a.cursor();
            cur.execute("SELECT 1");
            var settings = a.settings();
            a.close();
            try (Connection<Row> b = pool.connection()) {
                assertThatThrownBy(() -> cur.execute("SELECT 2")).isInstanceOf(InterfaceException.class);
                assertThatThrownBy(() -> cur.executemany("SELECT %s", List.of(List.of(1)))).isInstanceOf(InterfaceException.class);
                assertThatThrownBy(() -> cur.stream("SELECT 3")).isInstanceOf(InterfaceException.class);
                assertThatThrownBy(() -> cur.copy("COPY (SELECT 1) TO STDOUT")).isInstanceOf(InterfaceException.class);
                assertThatThrownBy(() -> settings.get("work_mem")).isInstanceOf(InterfaceException.class);
                assertThat(b.execute("SELECT 4").fetchone().getInt(0)).isEqualTo(4);
            }
        }
    }

    /** Methods of the lease mechanics, called on the pooled connection only. */
    private static final Set<String> NOT_FORWARDED = Set.of("isCurrentLease", "endLease", "startLease", "leaseLeftovers", "resetSession");

    // trust #15: a method added to Connection later cannot bypass the check
    @Test
    void everyMethodOfAStaleLeaseIsRefused(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            a.close();
            try (Connection<Row> b = pool.connection()) {
                List<String> checked = checkRefusesEverything(Connection.class, a, Set.of("close"));
                assertThat(checked).contains("commit", "execute", "cursor", "pipeline", "cancel", "info", "notifies");
                assertThat(b.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
                assertThat(b.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.INTRANS);
            }
        }
    }

    /**
     * Checks that the lease's class overrides every method of {@code type} (public or package-private), and
     * that every public one refuses the call on the ended lease (a failed future counts).
     */
    static List<String> checkRefusesEverything(Class<?> type, Object lease, Set<String> noOps) throws Exception {
        List<String> checked = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (Modifier.isStatic(mod) || Modifier.isPrivate(mod) || m.isSynthetic() || NOT_FORWARDED.contains(m.getName())) {
                continue;
            }
            assertThat(overrides(lease.getClass(), m)).as("%s overrides %s", lease.getClass().getSimpleName(), m).isTrue();
            if (!Modifier.isPublic(mod)) {
                continue;
            }
            Object[] args = new Object[m.getParameterCount()];
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < args.length; i++) {
                args[i] = types[i] == int.class ? 0 : types[i] == boolean.class ? false : null;
            }
            Object result;
            try {
                result = m.invoke(lease, args);
            } catch (InvocationTargetException e) {
                assertThat(e.getCause()).as("%s on an ended lease", m).isInstanceOf(InterfaceException.class);
                checked.add(m.getName());
                continue;
            }
            switch (m.getName()) {
                case "isClosed" -> assertThat(result).isEqualTo(true);
                case "isBroken" -> assertThat(result).isEqualTo(false);
                default -> {
                    if (result instanceof CompletableFuture<?> f) {
                        if (noOps.contains(m.getName())) {
                            continue;
                        }
                        assertThat(f).as("%s on an ended lease", m).isCompletedExceptionally();
                        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                                .hasCauseInstanceOf(InterfaceException.class);
                    } else {
                        assertThat(noOps).as("%s on an ended lease returned instead of failing", m).contains(m.getName());
                    }
                }
            }
            checked.add(m.getName());
        }
        return checked;
    }

    private static boolean overrides(Class<?> c, Method m) {
        try {
            c.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    // trust #15, the AsyncConnectionPool
    @Test
    void aStaleAsyncReferenceIsRefused(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS stale_a (id int)");
        db.admin("TRUNCATE stale_a");
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(10)).build()) {
            pool.open();
            AsyncConnection<Row> a = pool.connection().get(20, TimeUnit.SECONDS);
            var cur = a.cursor();
            a.close();
            AsyncConnection<Row> b = pool.connection().get(20, TimeUnit.SECONDS);
            b.execute("INSERT INTO stale_a VALUES (1)").get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> a.commit().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InterfaceException.class);
            assertThatThrownBy(() -> cur.execute("SELECT 1").get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InterfaceException.class);
            a.close(); // a no-op: b keeps the connection
            CompletableFuture<AsyncConnection<Row>> waiting = pool.connection();
            Thread.sleep(300);
            assertThat(waiting).as("b still holds the only connection").isNotDone();
            waiting.cancel(false);
            assertThat(db.adminQuery("SELECT count(*) FROM stale_a")).isEqualTo("0");
            List<String> checked = checkRefusesEverything(AsyncConnection.class, a, Set.of("close", "closeAsync"));
            assertThat(checked).contains("commit", "execute", "cursor", "pipeline", "stream");
            b.rollback().get(10, TimeUnit.SECONDS);
            b.close();
            AsyncConnection<Row> c = pool.connection().get(20, TimeUnit.SECONDS);
            assertThat(c.execute("SELECT 5").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(5);
            c.close();
        }
    }
}
