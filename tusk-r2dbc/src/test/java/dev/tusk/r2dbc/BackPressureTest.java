package dev.tusk.r2dbc;

import dev.tusk.TransactionStatus;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back-pressure inside one result: with {@code fetchSize}, a slow subscriber to {@code Result.map} holds the
 * server back; the client neither reads nor buffers the rows it has not asked for.
 */
@TuskTest
@Timeout(120)
class BackPressureTest {
    private static final Duration T = Duration.ofSeconds(60);

    /**
     * Every row of the 1,000,000-row query calls nextval() as the server produces it, so the sequence (which the
     * admin connection sees outside the cursor's transaction) counts the rows the server has produced: with a
     * subscriber requesting one row at a time, it stays within a few FETCHes of what was consumed.
     */
    @Test
    void aSlowSubscriberWithFetchSizeHoldsTheServerBackAndCancellingLeavesTheConnectionUsable(TestDatabase db)
            throws Exception {
        db.admin("CREATE SEQUENCE produced");
        TuskConnection c = R2dbc.connect(db);
        try {
            AtomicLong received = new AtomicLong();
            AtomicInteger requested = new AtomicInteger();
            BaseSubscriber<Long> slow = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    requested.incrementAndGet();
                    s.request(1);
                }

                @Override
                protected void hookOnNext(Long v) {
                    received.incrementAndGet();
                }
            };
            Flux.from(c.createStatement("SELECT nextval('produced') FROM generate_series(1, $1)").bind(0, 1_000_000)
                            .fetchSize(100).execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Long.class)))
                    .subscribe(slow);
            for (int i = 0; i < 300; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.get() < requested.get()) {
                    assertThat(System.nanoTime()).as("row %d did not arrive", requested.get()).isLessThan(deadline);
                    Thread.sleep(1);
                }
                requested.incrementAndGet();
                slow.request(1);
            }
            Thread.sleep(300); // time for anything over-eager to be fetched
            long produced = Long.parseLong(db.adminQuery("SELECT last_value FROM produced"));
            assertThat(received.get()).isBetween(300L, 301L);
            assertThat(produced).as("rows the server produced for 301 requested").isLessThanOrEqualTo(301 + 2 * 100);
            slow.dispose(); // cancel mid-result: the cursor and the transaction it opened are closed

            Integer one = Flux.from(c.createStatement("SELECT 1").execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockLast(T);
            assertThat(one).isEqualTo(1);
            assertThat(c.unwrap().info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(c.isAutoCommit()).isTrue();
            assertThat(Long.parseLong(db.adminQuery("SELECT last_value FROM produced"))).isEqualTo(produced);
        } finally {
            R2dbc.close(c);
        }
    }

    /** Without fetchSize a statement's rows are received whole (documented): the subscriber then reads them from memory. */
    @Test
    void withoutFetchSizeTheResultIsReceivedWholeBeforeItsFirstRow(TestDatabase db) {
        db.admin("CREATE SEQUENCE produced");
        TuskConnection c = R2dbc.connect(db);
        try {
            Long first = Flux.from(c.createStatement("SELECT nextval('produced') FROM generate_series(1, 10000)").execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Long.class))).take(1).blockLast(T);
            assertThat(first).isEqualTo(1L);
            assertThat(db.adminQuery("SELECT last_value FROM produced")).isEqualTo("10000");
            assertThat(Flux.from(c.createStatement("SELECT 2").execute()).concatMap(Result::getRowsUpdated).count().block(T))
                    .isZero();
        } finally {
            R2dbc.close(c);
        }
    }
}
