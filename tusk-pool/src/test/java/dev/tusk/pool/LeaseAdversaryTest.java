package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncPipeline;
import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Notify;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.Xid;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.InterfaceException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Adversarial uses of a pool's leases (session 36): objects a borrower made through its lease (a pipeline block,
 * a notifications stream, adapters) used after the lease ended, and a lease used from another thread at the
 * moment it is given back, must never reach the session the pool lends to the next borrower.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeaseAdversaryTest {

    private static ConnectionPool<Row> pool(TestDatabase db) {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(10)).open(true).build();
        pool.waitReady(Duration.ofSeconds(20));
        return pool;
    }

    static AsyncConnectionPool<Row> asyncPool(TestDatabase db) throws Exception {
        AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(10)).build();
        pool.open();
        pool.waitReady(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        return pool;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    // ---------------------------------------------------------------- a pipeline block kept after give-back

    @Test
    void aStalePipelinesSyncCannotSyncTheNextBorrowersPipeline(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            Pipeline stale = a.pipeline();
            a.execute("SELECT 1");
            stale.sync();
            stale.close();
            a.close();
            try (Connection<Row> b = pool.connection()) {
                b.setAutocommit(true);
                try (Pipeline p = b.pipeline()) {
                    Cursor<Row> bad = b.execute("SELECT 1 / %s", 0);
                    assertThatThrownBy(stale::sync).as("sync() of a pipeline made by a lease that ended")
                            .isInstanceOf(InterfaceException.class).hasMessageContaining("given back");
                    // b's pipeline still holds b's error: its own sync raises it (nothing swallowed it)
                    assertThatThrownBy(p::sync).isInstanceOf(dev.tusk.errors.DataException.class);
                }
                assertThat(b.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
            }
        }
    }

    @Test
    void aStaleAsyncPipelinesSyncCannotSyncTheNextBorrowersPipeline(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            AsyncPipeline stale = a.pipeline();
            get(a.execute("SELECT 1"));
            get(stale.sync());
            get(stale.closeAsync());
            a.close();
            AsyncConnection<Row> b = get(pool.connection());
            try {
                get(b.setAutocommit(true));
                AsyncPipeline p = b.pipeline();
                CompletableFuture<?> bad = b.execute("SELECT 1 / %s", 0);
                Throwable t = failureOf(stale.sync());
                assertThat(t).as("sync() of an async pipeline made by a lease that ended").isNotNull();
                assertThat(failureOf(p.closeAsync())).as("b's own sync raises b's error")
                        .isInstanceOf(dev.tusk.errors.DataException.class);
                assertThat(failureOf(bad)).isInstanceOf(dev.tusk.errors.DataException.class);
                assertThat(get(b.execute("SELECT 2")).fetchone().getInt(0)).isEqualTo(2);
            } finally {
                b.close();
            }
        }
    }

    // ---------------------------------------------------------------- a transaction block's connection() kept after give-back

    /**
     * A transaction block made through a lease names the lease handle as its connection, not the pooled connection
     * behind it: kept after the give-back, it is refused like the handle (found in session 38: it was the pooled
     * connection, on which a stale statement ran in the next borrower's session and close() gave the connection back
     * under the next borrower).
     */
    @Test
    void aTransactionBlocksConnectionKeptAfterTheGiveBackIsRefused(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            AtomicReference<Connection<?>> kept = new AtomicReference<>();
            a.transaction(tx -> {
                kept.set(tx.connection());
                return null;
            });
            a.close();
            try (Connection<Row> b = pool.connection()) {
                b.execute("SELECT set_config('tusk.owner', 'b', false)");
                assertThatThrownBy(() -> kept.get().execute("SELECT set_config('tusk.owner', 'stale', false)"))
                        .isInstanceOf(InterfaceException.class).hasMessageContaining("given back");
                kept.get().close(); // the old lease's close: nothing of b's
                assertThat(b.isClosed()).isFalse();
                assertThat(b.execute("SELECT current_setting('tusk.owner')").fetchone().getString(0)).isEqualTo("b");
            }
        }
    }

    @Test
    void anAsyncTransactionBlocksConnectionKeptAfterTheGiveBackIsRefused(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            AtomicReference<AsyncConnection<?>> kept = new AtomicReference<>();
            get(a.transaction(tx -> {
                kept.set(tx.connection());
                return CompletableFuture.completedFuture(null);
            }));
            get(a.closeAsync());
            AsyncConnection<Row> b = get(pool.connection());
            try {
                get(b.execute("SELECT set_config('tusk.owner', 'b', false)"));
                assertThat(failureOf(kept.get().execute("SELECT set_config('tusk.owner', 'stale', false)")))
                        .isInstanceOf(InterfaceException.class).hasMessageContaining("given back");
                kept.get().close(); // the old lease's close: nothing of b's
                assertThat(b.isClosed()).isFalse();
                assertThat(get(b.execute("SELECT current_setting('tusk.owner')")).fetchone().getString(0)).isEqualTo("b");
            } finally {
                b.close();
            }
        }
    }

    /**
     * A notifies() publisher kept from a lease and subscribed after the lease ended completes at once and delivers
     * nothing, also when its connection was lost since (model seeds 4039276337478 and 4325044199826: it failed with
     * the connection's loss, which the lease never saw).
     */
    @Test
    void aStaleAsyncNotifiesPublisherCompletesAlsoWhenItsConnectionWasLostSince(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            int pid = a.info().backendPid();
            Flow.Publisher<Notify> kept = a.notifies(Duration.ofSeconds(5), 1);
            get(a.closeAsync());
            assertThat(db.adminQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")).isEqualTo("t");
            AsyncConnection<Row> b = get(pool.connection());
            try {
                assertThat(get(b.execute("SELECT 1")).fetchone().getInt(0)).isEqualTo(1);
                Thread.sleep(200); // the old connection's end reaches its notifications stream
                List<Notify> seen = new ArrayList<>();
                CompletableFuture<Throwable> ended = new CompletableFuture<>();
                kept.subscribe(new Flow.Subscriber<>() {
                    public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                    public void onNext(Notify n) { seen.add(n); }
                    public void onError(Throwable e) { ended.complete(e); }
                    public void onComplete() { ended.complete(null); }
                });
                assertThat(get(ended)).as("the stale publisher's end").isNull();
                assertThat(seen).isEmpty();
            } finally {
                b.close();
            }
        }
    }

    // ---------------------------------------------------------------- a notifications stream kept after give-back

    @Test
    void aStaleNotifiesStreamDoesNotDeliverTheNextBorrowersNotifications(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            Connection<Row> a = pool.connection();
            Iterator<Notify> stale = a.notifies(Duration.ofSeconds(3), 1).iterator(); // lazy: nothing read yet
            a.close();
            try (Connection<Row> b = pool.connection()) {
                b.setAutocommit(true);
                b.execute("LISTEN lease_adversary");
                b.execute("NOTIFY lease_adversary, 'for b only'");
                List<Notify> seenByA = new ArrayList<>();
                Throwable t = null;
                try {
                    stale.forEachRemaining(seenByA::add);
                } catch (InterfaceException e) {
                    t = e; // refusing is fine too
                }
                assertThat(seenByA).as("notifications of the next borrower read through a stream of a lease that ended"
                        + (t == null ? "" : " (" + t + ")")).isEmpty();
                assertThat(b.notifies()).extracting(Notify::payload).containsExactly("for b only");
            }
        }
    }

    @Test
    void aStaleAsyncNotifiesPublisherDoesNotDeliverTheNextBorrowersNotifications(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            Flow.Publisher<Notify> stale = a.notifies(Duration.ofSeconds(2), 1);
            a.close();
            AsyncConnection<Row> b = get(pool.connection());
            try {
                get(b.setAutocommit(true));
                List<Notify> seenByA = new java.util.concurrent.CopyOnWriteArrayList<>();
                CompletableFuture<Throwable> ended = new CompletableFuture<>();
                stale.subscribe(new Flow.Subscriber<>() {
                    public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                    public void onNext(Notify n) { seenByA.add(n); }
                    public void onError(Throwable e) { ended.complete(e); }
                    public void onComplete() { ended.complete(null); }
                });
                List<Notify> seenByB = new java.util.concurrent.CopyOnWriteArrayList<>();
                b.addNotifyHandler(seenByB::add);
                get(b.execute("LISTEN lease_adversary_async"));
                get(b.execute("NOTIFY lease_adversary_async, 'for b only'"));
                ended.get(10, TimeUnit.SECONDS);
                assertThat(seenByA).as("notifications of the next borrower published to a subscriber of a lease that ended")
                        .isEmpty();
            } finally {
                b.close();
            }
        }
    }

    // ---------------------------------------------------------------- adapters registered by a borrower

    /** A loader that reads every text as a fixed word: what a borrower may register for its own needs. */
    private static final class Shouting implements Loader<Object> {
        private final Format format;

        Shouting(Format format) {
            this.format = format;
        }

        @Override
        public Object load(ByteBuffer data) {
            return "LOADED BY THE PREVIOUS BORROWER";
        }

        @Override
        public Format format() {
            return format;
        }
    }

    // ---------------------------------------------------------------- a two-phase transaction left by a lease

    /**
     * A lease that gives its connection back with a two-phase transaction begun or prepared: the pool does not lend
     * that session again (its next borrower's statements would be refused, or run inside someone else's transaction),
     * the same rule on both pools.
     */
    @Test
    void aTwoPhaseTransactionLeftByALeaseDoesNotReachTheNextBorrower(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            for (boolean prepare : new boolean[] {false, true}) {
                Connection<Row> a = pool.connection();
                a.tpcBegin(new Xid(1, "left-by-lease-" + prepare, "b"));
                a.execute("SELECT 1");
                if (prepare) {
                    a.tpcPrepare();
                }
                a.close();
                try (Connection<Row> b = pool.connection()) {
                    assertThat(b.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
                    b.commit();
                    assertThat(b.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                }
            }
        } finally {
            rollBackPrepared(db, "left-by-lease");
        }
    }

    @Test
    void aTwoPhaseTransactionLeftByAnAsyncLeaseDoesNotReachTheNextBorrower(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            for (boolean prepare : new boolean[] {false, true}) {
                AsyncConnection<Row> a = get(pool.connection());
                get(a.tpcBegin(new Xid(1, "left-by-async-lease-" + prepare, "b")));
                get(a.execute("SELECT 1"));
                if (prepare) {
                    get(a.tpcPrepare());
                }
                get(a.closeAsync());
                AsyncConnection<Row> b = get(pool.connection());
                try {
                    assertThat(get(b.execute("SELECT 1")).fetchone().getInt(0)).isEqualTo(1);
                    get(b.commit());
                    assertThat(b.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                } finally {
                    get(b.closeAsync());
                }
            }
        } finally {
            rollBackPrepared(db, "left-by-async-lease");
        }
    }

    /** Rolls back the transactions this test left prepared in its database, whose gtrid starts with {@code prefix}. */
    private static void rollBackPrepared(TestDatabase db, String prefix) {
        try (Connection<Row> c = Connection.connect(db.conninfo())) {
            c.setAutocommit(true);
            String here = c.execute("SELECT current_database()").fetchone().getString(0);
            for (Xid x : c.tpcRecover()) {
                if (x.gtrid().startsWith(prefix) && here.equals(x.database())) {
                    c.tpcRollback(x);
                }
            }
        }
    }

    @Test
    void adaptersRegisteredThroughALeaseDoNotReachTheNextBorrower(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            try (Connection<Row> a = pool.connection()) {
                a.adapters().registerLoader("text", new Shouting(Format.TEXT));
                a.adapters().registerLoader("text", new Shouting(Format.BINARY));
                assertThat(a.execute("SELECT 'x'::text").fetchone().get(0)).isEqualTo("LOADED BY THE PREVIOUS BORROWER");
                a.rollback();
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.execute("SELECT 'x'::text").fetchone().get(0))
                        .as("a text value read by the next borrower").isEqualTo("x");
            }
        }
    }

    /** The other side: a lease that only uses the adapters (dates, a time zone change) keeps its connection. */
    @Test
    void aLeaseThatRegistersNothingKeepsItsConnection(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            int pid;
            try (Connection<Row> a = pool.connection()) {
                pid = a.info().backendPid();
                a.execute("SET TimeZone = 'Asia/Tokyo'");
                a.execute("SELECT now(), %s::text, %s::int", "x", 1).fetchone();
                a.adapters(); // looked at, not changed
            }
            try (Connection<Row> b = pool.connection()) {
                assertThat(b.info().backendPid()).as("the connection was kept").isEqualTo(pid);
            }
        }
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            int pid = a.info().backendPid();
            get(a.execute("SELECT now(), %s::text, %s::int", "x", 1));
            get(a.closeAsync());
            AsyncConnection<Row> b = get(pool.connection());
            try {
                assertThat(b.info().backendPid()).as("the async connection was kept").isEqualTo(pid);
            } finally {
                b.close();
            }
        }
    }

    @Test
    void adaptersRegisteredThroughAnAsyncLeaseDoNotReachTheNextBorrower(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            a.adapters().registerLoader("text", new Shouting(Format.TEXT));
            a.adapters().registerLoader("text", new Shouting(Format.BINARY));
            assertThat(get(a.execute("SELECT 'x'::text")).fetchone().get(0)).isEqualTo("LOADED BY THE PREVIOUS BORROWER");
            get(a.closeAsync());
            AsyncConnection<Row> b = get(pool.connection());
            try {
                assertThat(get(b.execute("SELECT 'x'::text")).fetchone().get(0))
                        .as("a text value read by the next borrower").isEqualTo("x");
            } finally {
                b.close();
            }
        }
    }

    // ---------------------------------------------------------------- a lease used by another thread while given back

    /**
     * One thread keeps running {@code SET} on its lease while the owner gives it back and the next borrower
     * takes the same connection at once: a statement of the old lease must never run on the new borrower's
     * session (the check that refuses an ended lease must hold until the statement has the connection).
     */
    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLeaseUsedFromAnotherThreadWhileGivenBackNeverReachesTheNextBorrower(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int rounds = 0;
            int leaked = 0;
            while (System.nanoTime() < deadline && leaked == 0) {
                rounds++;
                Connection<Row> a = pool.connection();
                a.setAutocommit(true);
                AtomicBoolean stop = new AtomicBoolean();
                String mark = "a" + rounds;
                Thread user = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            a.execute("SELECT set_config('tusk.owner', %s, false)", mark);
                        } catch (RuntimeException refused) {
                            return; // the lease ended under it
                        }
                    }
                });
                user.start();
                Thread.sleep(1);
                a.close();
                try (Connection<Row> b = pool.connection()) {
                    // whatever the old thread managed before the give-back was reset: b may only see nothing
                    for (int i = 0; i < 5; i++) {
                        String owner = b.execute("SELECT coalesce(current_setting('tusk.owner', true), '')").fetchone().getString(0);
                        if (owner.equals(mark)) {
                            leaked++;
                        }
                    }
                    b.rollback();
                } finally {
                    stop.set(true);
                    user.join(10_000);
                }
            }
            assertThat(leaked).as("statements of an ended lease that ran on the next borrower's session, in %d rounds",
                    rounds).isZero();
        }
    }

    // ---------------------------------------------------------------- async: futures that must complete

    /** A subscriber that takes {@code first} rows and then asks for nothing more. */
    private static final class Idle implements Flow.Subscriber<Row> {
        final CompletableFuture<Void> gotFirst = new CompletableFuture<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        volatile Flow.Subscription subscription;

        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        public void onNext(Row r) {
            gotFirst.complete(null);
        }

        public void onError(Throwable t) {
            ended.complete(t);
        }

        public void onComplete() {
            ended.complete(null);
        }
    }

    private static final String MANY_ROWS = "WITH RECURSIVE r(g) AS (SELECT 1::bigint UNION ALL SELECT g + 1 FROM r"
            + " WHERE g < 5000000) SELECT g FROM r";

    /**
     * A stream with no demand holds nothing in flight (its rows wait in a server-side cursor), so the connection is
     * repaired in place and lent again. What must not happen: the abandoned subscriber's next request sends its
     * FETCH into the session the pool has lent to the next borrower (failing the next borrower's transaction, or
     * reading its cursor). The request is made while the next borrower holds the connection in a transaction.
     */
    @Test
    void aLeaseGivenBackWhileItsStreamHasNoDemandComesBackAndTheNextLeaseWorks(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            Idle sub = new Idle();
            a.stream(MANY_ROWS).subscribe(sub);
            sub.gotFirst.get(10, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            Throwable closed = failureOf(a.closeAsync());
            assertThat(closed).as("closeAsync() of a lease whose stream waits for demand").isNull();
            AsyncConnection<Row> b = pool.connection().get(15, TimeUnit.SECONDS);
            try {
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(12));
                assertThat(get(b.execute("SELECT 7")).fetchone().getInt(0)).isEqualTo(7);
                assertThat(b.info().transactionStatus()).as("b's own transaction").isEqualTo(dev.tusk.TransactionStatus.INTRANS);
                // the abandoned subscriber asks for more while b holds the connection: it is told the stream ended,
                // and nothing it asks for reaches b's session
                sub.subscription.request(1_000_000);
                Throwable t = sub.ended.get(15, TimeUnit.SECONDS);
                assertThat(t == null || t instanceof dev.tusk.errors.TuskException).as("the stream ended with " + t).isTrue();
                assertThat(b.info().transactionStatus()).as("b's transaction after the stale stream's request ended")
                        .isEqualTo(dev.tusk.TransactionStatus.INTRANS);
                assertThat(get(b.execute("SELECT 8")).fetchone().getInt(0)).isEqualTo(8);
                assertThat(get(b.execute("SELECT count(*) FROM pg_cursors")).fetchone().getLong(0))
                        .as("cursors on b's session").isZero();
            } finally {
                b.close();
            }
        }
    }

    @Test
    void aStatementQueuedBehindAStreamWithNoDemandFailsWhenTheBackendGoesAway(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = asyncPool(db)) {
            AsyncConnection<Row> a = get(pool.connection());
            int pid = a.info().backendPid();
            Idle sub = new Idle();
            a.stream(MANY_ROWS).subscribe(sub);
            sub.gotFirst.get(10, TimeUnit.SECONDS);
            db.adminQuery("SELECT pg_terminate_backend(" + pid + ")");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid).trim().equals("0")) {
                assertThat(System.nanoTime()).as("the backend exits").isLessThan(deadline);
                Thread.sleep(10);
            }
            // the subscriber asks for nothing: the loss must still end a statement queued behind the stream
            CompletableFuture<?> queued = a.execute("SELECT 1");
            Throwable t;
            try {
                t = failureOf(queued);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("a statement queued behind a stream with no demand never completed after"
                        + " the backend was terminated");
            }
            assertThat(t).isInstanceOf(dev.tusk.errors.OperationalException.class);
            assertThat(a.isBroken()).isTrue();
            sub.subscription.request(Long.MAX_VALUE);
            assertThat(sub.ended.get(10, TimeUnit.SECONDS)).isInstanceOf(dev.tusk.errors.OperationalException.class);
            a.close();
            AsyncConnection<Row> b = pool.connection().get(15, TimeUnit.SECONDS);
            try {
                assertThat(b.info().backendPid()).isNotEqualTo(pid);
                assertThat(get(b.execute("SELECT 8")).fetchone().getInt(0)).isEqualTo(8);
            } finally {
                b.close();
            }
        }
    }

    @Test
    void aLeaseWaitingWhenTheAsyncPoolClosesFailsAtOnce(TestDatabase db) throws Exception {
        AsyncConnectionPool<Row> pool = asyncPool(db);
        AsyncConnection<Row> held = get(pool.connection());
        CompletableFuture<AsyncConnection<Row>> waiting = pool.connection(Duration.ofSeconds(60));
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        long t0 = System.nanoTime();
        pool.close();
        Throwable t = failureOf(waiting);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(t).isInstanceOf(PoolClosed.class);
        assertThat(failureOf(held.execute("SELECT 1"))).as("the lease held while the pool closed still works, or says why")
                .satisfiesAnyOf(x -> assertThat(x).isNull(), x -> assertThat(x).isInstanceOf(dev.tusk.errors.TuskException.class));
        held.close(); // given back to a closed pool: closed for real
        assertThat(held.isClosed()).isTrue();
    }
}
