package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publishers of a statement's Results and of {@code Result.map} follow the subscriber's demand: nothing is
 * emitted beyond what was requested, a request made from inside {@code onNext} is honoured in order, and the end
 * (or the error) comes after the last item.
 */
@TuskTest
@Timeout(120)
class ResultDemandTest {
    private static final Duration T = Duration.ofSeconds(60);

    @Test
    void theResultsOfABatchAreEmittedOnlyAsRequested(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Statement st = c.createStatement("SELECT $1::int").bind(0, 1).add().bind(0, 2).add().bind(0, 3);
            StepVerifier.create(Flux.from(st.execute()).concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)), 1), 0)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(1)
                    .expectNext(1)
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(2)
                    .expectNext(2, 3)
                    .expectComplete()
                    .verify(T);
            StepVerifier.create(c.createStatement("SELECT $1::int").bind(0, 1).add().bind(0, 2).execute(), 1)
                    .expectNextCount(1)
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(1)
                    .expectNextCount(1)
                    .expectComplete()
                    .verify(T);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void mapEmitsRowsOnlyAsRequested(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Result r = Flux.from(c.createStatement("SELECT g FROM generate_series(1, 5) g").execute()).blockFirst(T);
            StepVerifier.create(r.map((row, md) -> row.get(0, Integer.class)), 0)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(2)
                    .expectNext(1, 2)
                    .expectNoEvent(Duration.ofMillis(200))
                    .thenRequest(Long.MAX_VALUE)
                    .expectNext(3, 4, 5)
                    .expectComplete()
                    .verify(T);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void requestingOneMoreFromInsideOnNextGetsEveryResultAndRowInOrder(TestDatabase db) throws Exception {
        TuskConnection c = R2dbc.connect(db);
        try {
            Statement st = c.createStatement("SELECT g FROM generate_series(1, $1::int) g");
            for (int i = 1; i <= 4; i++) {
                st.bind(0, i);
                if (i < 4) {
                    st.add();
                }
            }
            List<Result> results = oneByOne(Flux.<Result>from(st.execute()));
            assertThat(results).hasSize(4);
            for (int i = 0; i < 4; i++) {
                List<Integer> rows = oneByOne(results.get(i).map((row, md) -> row.get(0, Integer.class)));
                assertThat(rows).hasSize(i + 1);
                for (int k = 0; k < rows.size(); k++) {
                    assertThat(rows.get(k)).isEqualTo(k + 1);
                }
            }
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void mapRaisesWhatTheMappingFunctionThrowsOrANullItReturns(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Result r = Flux.from(c.createStatement("SELECT g FROM generate_series(1, 3) g").execute()).blockFirst(T);
            StepVerifier.create(r.map((row, md) -> {
                        int g = row.get(0, Integer.class);
                        if (g == 2) {
                            throw new IllegalArgumentException("no twos");
                        }
                        return g;
                    }))
                    .expectNext(1)
                    .expectErrorMessage("no twos")
                    .verify(T);
            Result again = Flux.from(c.createStatement("SELECT 1").execute()).blockFirst(T);
            StepVerifier.create(again.map((row, md) -> null))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("returned null"))
                    .verify(T);
        } finally {
            R2dbc.close(c);
        }
    }

    /** Collects the publisher's items requesting one at a time, the next from inside onNext. */
    private static <T> List<T> oneByOne(Publisher<T> p) throws InterruptedException {
        List<T> got = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failed = new Throwable[1];
        p.subscribe(new BaseSubscriber<T>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                request(1);
            }

            @Override
            protected void hookOnNext(T value) {
                got.add(value);
                request(1);
            }

            @Override
            protected void hookOnError(Throwable t) {
                failed[0] = t;
            }

            @Override
            protected void hookFinally(reactor.core.publisher.SignalType type) {
                done.countDown();
            }
        });
        assertThat(done.await(60, TimeUnit.SECONDS)).as("the publisher ended").isTrue();
        assertThat(failed[0]).isNull();
        return got;
    }
}
