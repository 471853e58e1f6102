package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The async twin of {@link Faults}: connecting through a proxy, and the checks every lost AsyncConnection must pass. */
final class AsyncFaults {
    private AsyncFaults() {
    }

    static AsyncConnection<Row> connect(FaultProxy proxy, TestDatabase db) {
        return connect(Faults.via(proxy, db));
    }

    static AsyncConnection<Row> connect(ConnectOptions.Builder<Row> options) {
        return await(AsyncConnection.connect(options.build()));
    }

    static AsyncConnection<Row> direct(TestDatabase db) {
        return await(AsyncConnection.connect(db.conninfo() + " sslmode=disable"));
    }

    /** The future's value; fails the test if it does not complete within 15 s (a hang). */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the future did not complete within 15 s: a hang");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The exception the future failed with, within 15 s; fails the test if it succeeds or hangs. */
    static Throwable failure(CompletableFuture<?> f) {
        try {
            Object v = f.get(15, TimeUnit.SECONDS);
            return fail("the future must fail, it completed with " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return fail("the future neither failed nor completed within 15 s: a hang");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The future fails because the connection was lost; the connection says it is broken. */
    static OperationalException assertLost(AsyncConnection<?> conn, CompletableFuture<?> f) {
        Throwable t = failure(f);
        assertThat(t).as("the operation must fail").isInstanceOf(OperationalException.class);
        assertThat(t.getMessage()).matches(Faults.LOST);
        assertBrokenAfterwards(conn);
        return (OperationalException) t;
    }

    /** The connection knows it is broken and says so on the next call, at once. */
    static void assertBrokenAfterwards(AsyncConnection<?> conn) {
        assertThat(conn.isBroken()).as("isBroken()").isTrue();
        assertThat(conn.isClosed()).as("isClosed()").isTrue();
        Throwable next = failure(conn.execute("SELECT 1"));
        assertThat(next).isInstanceOf(OperationalException.class);
        assertThat(next.getMessage()).contains("broken").matches(Faults.LOST);
        conn.close(); // idempotent, quiet
        assertThat(conn.isClosed()).isTrue();
    }

    /** Waits until {@code conn.isBroken()}: the event loop notices a lost connection without any call. */
    static void awaitBroken(AsyncConnection<?> conn, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!conn.isBroken()) {
            if (System.nanoTime() > deadline) {
                fail("the connection was not found broken within " + within);
            }
            sleep(10);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
