package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.observe.LeaseEvent;
import dev.tusk.observe.PoolConnectionEvent;
import dev.tusk.observe.PoolView;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.TuskListener;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pool events of the listener SPI, on both pools, against a real server. */
@TuskTest
@Timeout(60)
class PoolListenerTest {

    static final class Recorder implements TuskListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<LeaseEvent> acquired = new CopyOnWriteArrayList<>();
        final List<LeaseEvent> returned = new CopyOnWriteArrayList<>();
        final List<LeaseEvent> timedOut = new CopyOnWriteArrayList<>();
        final List<PoolConnectionEvent> created = new CopyOnWriteArrayList<>();
        final List<PoolConnectionEvent> closed = new CopyOnWriteArrayList<>();
        final List<StatementEnd> statements = new CopyOnWriteArrayList<>();
        volatile PoolView pool;
        volatile int inUseWhileLent = -1;

        @Override
        public void poolOpened(PoolView p) {
            pool = p;
            events.add("opened " + p.name());
        }

        @Override
        public void poolClosed(PoolView p) {
            events.add("closed " + p.name());
        }

        @Override
        public void leaseAcquired(LeaseEvent e) {
            acquired.add(e);
            inUseWhileLent = e.pool().inUse();
        }

        @Override
        public void leaseReturned(LeaseEvent e) {
            returned.add(e);
        }

        @Override
        public void leaseTimedOut(LeaseEvent e) {
            timedOut.add(e);
        }

        @Override
        public void poolConnectionCreated(PoolConnectionEvent e) {
            created.add(e);
        }

        @Override
        public void poolConnectionClosed(PoolConnectionEvent e) {
            closed.add(e);
        }

        @Override
        public void statementEnded(StatementEnd end, Object context) {
            statements.add(end);
        }
    }

    private static ConnectOptions<Row> options(TestDatabase db, TuskListener l) {
        return ConnectOptions.builder().conninfo(db.conninfo()).listener(l).build();
    }

    @Test
    void aBlockingPoolReportsLeasesTimeoutsConnectionsAndGauges(TestDatabase db) throws Exception {
        Recorder r = new Recorder();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().options(options(db, r)).name("obs").minSize(1)
                .maxSize(1).timeout(Duration.ofMillis(300)).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            assertThat(r.pool.name()).isEqualTo("obs");
            assertThat(r.pool.size()).isEqualTo(1);
            assertThat(r.pool.idle()).isEqualTo(1);
            assertThat(r.pool.minSize()).isEqualTo(1);
            assertThat(r.pool.maxSize()).isEqualTo(1);
            try (Connection<Row> c = pool.connection()) {
                c.execute("SELECT pg_sleep(0.05)");
                assertThat(r.pool.inUse()).isEqualTo(1);
                assertThat(r.pool.idle()).isEqualTo(0);
                assertThatThrownBy(pool::connection).isInstanceOf(PoolTimeout.class);
            }
            assertThat(r.acquired).hasSize(1);
            assertThat(r.inUseWhileLent).isEqualTo(1);
            assertThat(r.timedOut).singleElement().satisfies(e ->
                    assertThat(e.nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos()));
            assertThat(r.returned).singleElement().satisfies(e ->
                    assertThat(e.nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos()));
            assertThat(r.created).singleElement().satisfies(e -> {
                assertThat(e.error()).isNull();
                assertThat(e.nanos()).isPositive();
            });
            assertThat(r.statements).as("the pool's connections inherit the options' listener")
                    .anyMatch(s -> s.start().sql().contains("pg_sleep"));
        }
        assertThat(r.events).containsExactly("opened obs", "closed obs");
        assertThat(r.closed).singleElement().satisfies(e -> assertThat(e.broken()).isFalse());
    }

    @Test
    void aBrokenConnectionClosedByThePoolIsReportedBroken(TestDatabase db) throws Exception {
        Recorder r = new Recorder();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().options(options(db, r)).minSize(1).maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            try (Connection<Row> c = pool.connection()) {
                int pid = c.info().backendPid();
                db.admin("SELECT pg_terminate_backend(" + pid + ")");
                assertThatThrownBy(() -> c.execute("SELECT 1")).isInstanceOf(dev.tusk.errors.OperationalException.class);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (r.closed.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(r.closed).first().satisfies(e -> assertThat(e.broken()).isTrue());
        }
    }

    @Test
    void anAsyncPoolReportsLeasesAndTimeouts(TestDatabase db) {
        Recorder r = new Recorder();
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().options(options(db, r)).name("aobs")
                .minSize(1).maxSize(1).timeout(Duration.ofMillis(300)).build()) {
            pool.open();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while ((r.pool == null || r.pool.idle() < 1) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            AsyncConnection<Row> c = pool.connection().join();
            assertThat(r.pool.inUse()).isEqualTo(1);
            assertThat(pool.connection()).failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(PoolTimeout.class);
            c.close();
            // told as the futures complete, on the threads completing them
            deadline = System.nanoTime() + 10_000_000_000L;
            while ((r.timedOut.isEmpty() || r.returned.isEmpty()) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(r.acquired).hasSize(1);
            assertThat(r.timedOut).singleElement().satisfies(e ->
                    assertThat(e.nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos()));
            assertThat(r.returned).hasSize(1);
            assertThat(r.created).hasSize(1);
        }
        assertThat(r.events).containsExactly("opened aobs", "closed aobs");
    }
    /** The facts a pool's connection events carry, checked against the connection itself. */
    private static void assertFactsOf(dev.tusk.observe.ConnectionFacts f, TestDatabase db, int backendPid) {
        assertThat(f).as("a pool's connection event carries the connection's facts").isNotNull();
        assertThat(f.database()).isEqualTo(db.dbname());
        assertThat(f.user()).isEqualTo(db.superuser());
        assertThat(f.host()).isEqualTo(db.host());
        assertThat(f.port()).isEqualTo(db.port());
        assertThat(f.address()).isNotNull();
        assertThat(f.backendPid()).isEqualTo(backendPid);
        assertThat(f.serverVersion()).isGreaterThanOrEqualTo(130000);
    }

    @Test
    void aBlockingPoolsConnectionEventsCarryTheConnectionsFactsThoughOnlyThePoolListens(TestDatabase db) throws Exception {
        Recorder r = new Recorder();
        int pid;
        // the listener is the pool's only: its connections have none of their own
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).listener(r).minSize(1)
                .maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            try (Connection<Row> c = pool.connection()) {
                pid = c.info().backendPid();
            }
            assertThat(r.statements).as("the connections have no listener").isEmpty();
            assertThat(r.created).singleElement().satisfies(e -> assertFactsOf(e.facts(), db, pid));
        }
        assertThat(r.closed).singleElement().satisfies(e -> {
            assertFactsOf(e.facts(), db, pid);
            assertThat(e.facts()).isEqualTo(r.created.get(0).facts());
        });
    }

    @Test
    void anAsyncPoolsConnectionEventsCarryTheConnectionsFacts(TestDatabase db) {
        Recorder r = new Recorder();
        int pid;
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).listener(r)
                .minSize(1).maxSize(1).build()) {
            pool.open();
            AsyncConnection<Row> c = pool.connection().join();
            pid = c.info().backendPid();
            c.close();
            assertThat(r.created).singleElement().satisfies(e -> assertFactsOf(e.facts(), db, pid));
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (r.closed.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(r.closed).singleElement().satisfies(e -> assertFactsOf(e.facts(), db, pid));
    }
}
