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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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

    // trust #15: a method added to Connection later cannot bypass the check
    @Test
    void everyMethodOfAStaleLeaseIsRefused(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            a.close();
            try (Connection<Row> b = pool.connection()) {
                assertThat(a.getClass()).as("a lease is a Connection: no subclass to keep in step").isEqualTo(Connection.class);
                List<String> checked = checkStaleRefusesEverything(Connection.class, a);
                assertThat(checked).contains("commit", "execute", "cursor", "pipeline", "cancel", "info", "notifies",
                        "adapters", "lookUpType");
                assertThat(b.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
                assertThat(b.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.INTRANS);
            }
        }
    }

    // the other side of the check: a lease that lasts is never refused as ended
    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMethodOfACurrentLeaseReachesThePooledSession(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            List<String> checked = checkCurrentReachesSession(Connection.class, pool::connection,
                    lease -> ((Connection<?>) lease).close());
            assertThat(checked).contains("commit", "execute", "cursor", "pipeline", "cancel", "info", "notifies");
            try (Connection<Row> c = pool.connection()) {
                assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
        }
    }

    /** Calls of the lease's own life cycle: no-ops on an ended lease, and ending a current one. */
    private static final Set<String> LIFE_CYCLE = Set.of("close", "closeAsync", "isClosed", "isBroken");

    /** Every public method of {@code type}, inherited ones included, but Object's: what a borrower can call. */
    static List<Method> publicMethods(Class<?> type) {
        List<Method> all = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class
                    && (!m.isSynthetic() || inheritedFromHiddenClass(type, m))) {
                all.add(m);
            }
        }
        all.sort(Comparator.comparing(Method::toString));
        return all;
    }

    /**
     * Whether {@code m} is javac's access bridge for a public method {@code type} inherits from a package-private
     * superclass (it is synthetic, but the borrower calls it as any other), not a bridge of generics.
     */
    private static boolean inheritedFromHiddenClass(Class<?> type, Method m) {
        for (Class<?> c = type.getSuperclass(); c != null; c = c.getSuperclass()) {
            if (Modifier.isPublic(c.getModifiers())) {
                continue;
            }
            try {
                Method declared = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (!declared.isSynthetic() && Modifier.isPublic(declared.getModifiers())
                        && declared.getReturnType() == m.getReturnType()) {
                    return true;
                }
            } catch (NoSuchMethodException e) {
                // not declared there
            }
        }
        return false;
    }

    /** Arguments a call can run with (a query that runs, empty parameters, short timeouts), else null. */
    static Object[] dummyArguments(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < args.length; i++) {
            Class<?> t = types[i];
            args[i] = t == int.class ? 0 : t == long.class ? 0L : t == boolean.class ? false : t == String.class ? "SELECT 1"
                    : t == Object[].class ? new Object[0] : t == List.class ? List.of() : t == Map.class ? Map.of()
                    : t == Duration.class ? Duration.ofMillis(10) : null;
        }
        return args;
    }

    private static boolean refusedAsEnded(Throwable t) {
        return t instanceof InterfaceException && String.valueOf(t.getMessage()).contains("given back to its pool");
    }

    /**
     * Calls every public method of {@code type} on the ended {@code lease}: each refuses the call with an
     * InterfaceException (thrown, or as the failure of the future it returns), but close() (a no-op),
     * isClosed() (true) and isBroken() (false).
     */
    static List<String> checkStaleRefusesEverything(Class<?> type, Object lease) throws Exception {
        List<String> checked = new ArrayList<>();
        for (Method m : publicMethods(type)) {
            Object result;
            try {
                result = m.invoke(lease, dummyArguments(m));
            } catch (InvocationTargetException e) {
                assertThat(e.getCause()).as("%s on an ended lease", m).isInstanceOf(InterfaceException.class);
                assertThat(LIFE_CYCLE).as("%s on an ended lease", m).doesNotContain(m.getName());
                checked.add(m.getName());
                continue;
            }
            switch (m.getName()) {
                case "isClosed" -> assertThat(result).isEqualTo(true);
                case "isBroken" -> assertThat(result).isEqualTo(false);
                case "close" -> assertThat(result).isNull();
                case "closeAsync" -> assertThat((CompletableFuture<?>) result).isCompleted().isNotCompletedExceptionally();
                default -> {
                    assertThat(result).as("%s on an ended lease returned instead of failing", m)
                            .isInstanceOf(CompletableFuture.class);
                    CompletableFuture<?> f = (CompletableFuture<?>) result;
                    assertThat(f).as("%s on an ended lease", m).isCompletedExceptionally();
                    assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                            .hasCauseInstanceOf(InterfaceException.class);
                }
            }
            checked.add(m.getName());
        }
        return checked;
    }

    /**
     * Calls every public method of {@code type} but close() on a lease of its own that lasts ({@code lease} makes
     * one, {@code giveBack} ends it): none is refused as ended, the calls run on the pooled session (whatever
     * they make of the dummy arguments), and the lease is neither closed nor broken.
     */
    static List<String> checkCurrentReachesSession(Class<?> type, Callable<Object> lease, Consumer<Object> giveBack)
            throws Exception {
        List<String> checked = new ArrayList<>();
        for (Method m : publicMethods(type)) {
            if (m.getName().equals("close") || m.getName().equals("closeAsync")) {
                continue;
            }
            Object l = lease.call();
            try {
                Throwable failure = null;
                try {
                    Object result = m.invoke(l, dummyArguments(m));
                    if (result instanceof CompletableFuture<?> f) {
                        try {
                            f.get(20, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            failure = e.getCause();
                        }
                    }
                    switch (m.getName()) {
                        case "isClosed", "isBroken" -> assertThat(result).as("%s on a current lease", m).isEqualTo(false);
                        default -> { }
                    }
                } catch (InvocationTargetException e) {
                    failure = e.getCause();
                }
                assertThat(refusedAsEnded(failure)).as("%s on a current lease refused: %s", m, failure).isFalse();
            } finally {
                giveBack.accept(l);
            }
            checked.add(m.getName());
        }
        return checked;
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
            assertThat(a.getClass()).as("a lease is an AsyncConnection").isEqualTo(AsyncConnection.class);
            List<String> checked = checkStaleRefusesEverything(AsyncConnection.class, a);
            assertThat(checked).contains("commit", "execute", "cursor", "pipeline", "stream");
            b.rollback().get(10, TimeUnit.SECONDS);
            b.close();
            AsyncConnection<Row> c = pool.connection().get(20, TimeUnit.SECONDS);
            assertThat(c.execute("SELECT 5").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(5);
            c.close();
        }
    }

    // the other side of the check, the AsyncConnectionPool
    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMethodOfACurrentAsyncLeaseReachesThePooledSession(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(10)).build()) {
            pool.open();
            List<String> checked = checkCurrentReachesSession(AsyncConnection.class,
                    () -> pool.connection().get(20, TimeUnit.SECONDS), lease -> ((AsyncConnection<?>) lease).close());
            assertThat(checked).contains("commit", "execute", "cursor", "pipeline", "stream", "info");
            AsyncConnection<Row> c = pool.connection().get(20, TimeUnit.SECONDS);
            assertThat(c.execute("SELECT 5").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(5);
            c.close();
        }
    }
}
