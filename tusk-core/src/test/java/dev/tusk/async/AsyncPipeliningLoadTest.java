package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 queries with 256 in flight over 4 async connections: every result right, and each connection's
 * results in submission order. The throughput is printed beside the same load on blocking connections,
 * one thread each (printed, not asserted: the machine is shared).
 */
@Timeout(120)
@TuskTest
class AsyncPipeliningLoadTest {
    private static final int QUERIES = 10_000;
    private static final int IN_FLIGHT = 256;
    private static final int CONNECTIONS = 4;

    @Test
    void tenThousandQueriesWith256InFlightOverFourConnections(TestDatabase db) throws Exception {
        String conninfo = db.conninfo();
        List<AsyncConnection<Row>> conns = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            conns.add(AsyncConnection.connect(ConnectOptions.builder().conninfo(conninfo).autocommit(true).build()).join());
        }
        try {
            runAsync(conns, 1_000); // warm-up
            long asyncNanos = runAsync(conns, QUERIES);
            long blockingNanos = runBlocking(conninfo, QUERIES);
            System.out.printf("async pipelined: %,d queries, %d in flight, %d connections: %.0f ms, %,.0f queries/s%n",
                    QUERIES, IN_FLIGHT, CONNECTIONS, asyncNanos / 1e6, QUERIES / (asyncNanos / 1e9));
            System.out.printf("blocking, thread per connection: %,d queries, %d connections: %.0f ms, %,.0f queries/s%n",
                    QUERIES, CONNECTIONS, blockingNanos / 1e6, QUERIES / (blockingNanos / 1e9));
        } finally {
            conns.forEach(AsyncConnection::close);
        }
    }

    /** Submits {@code queries} statements round robin, never more than IN_FLIGHT unanswered; checks every result. */
    private static long runAsync(List<AsyncConnection<Row>> conns, int queries) throws InterruptedException {
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicIntegerArray lastSeen = new AtomicIntegerArray(conns.size());
        for (int c = 0; c < conns.size(); c++) {
            lastSeen.set(c, -1);
        }
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<AsyncCursor<Row>>> all = new ArrayList<>(queries);
        long t0 = System.nanoTime();
        for (int i = 0; i < queries; i++) {
            window.acquire();
            int c = i % conns.size();
            int n = i;
            CompletableFuture<AsyncCursor<Row>> f = conns.get(c).execute("SELECT %s::int, 'row ' || %s::text", n, n);
            CompletableFuture<AsyncCursor<Row>> checked = f.whenComplete((cur, e) -> {
                window.release();
                if (e != null) {
                    problems.add("query " + n + " failed: " + e);
                    return;
                }
                Row r = cur.fetchone();
                if (r.getInt(0) != n || !r.getString(1).equals("row " + n)) {
                    problems.add("query " + n + " got " + r.getInt(0) + ", " + r.getString(1));
                }
                int previous = lastSeen.getAndSet(c, n);
                if (previous >= n) {
                    problems.add("connection " + c + " completed query " + n + " after " + previous);
                }
            });
            all.add(checked); // allOf must wait for the checks, not just the results
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).exceptionally(e -> null).join();
        long elapsed = System.nanoTime() - t0;
        assertThat(problems).isEmpty();
        for (int c = 0; c < conns.size(); c++) {
            assertThat(lastSeen.get(c)).isEqualTo(queries - conns.size() + c);
        }
        return elapsed;
    }

    private static long runBlocking(String conninfo, int queries) throws Exception {
        List<Connection<Row>> conns = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Connection<Row> c = Connection.connect(conninfo);
            c.setAutocommit(true);
            conns.add(c);
        }
        try {
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < CONNECTIONS; c++) {
                Connection<Row> conn = conns.get(c);
                int first = c;
                Thread t = new Thread(() -> {
                    for (int n = first; n < queries; n += CONNECTIONS) {
                        Row r = conn.execute("SELECT %s::int, 'row ' || %s::text", n, n).fetchone();
                        if (r.getInt(0) != n) {
                            problems.add("blocking query " + n + " got " + r.getInt(0));
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long elapsed = System.nanoTime() - t0;
            assertThat(problems).isEmpty();
            return elapsed;
        } finally {
            conns.forEach(Connection::close);
        }
    }
}
