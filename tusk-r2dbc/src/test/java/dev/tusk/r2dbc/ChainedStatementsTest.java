package dev.tusk.r2dbc;

import dev.tusk.AsyncConnection;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements chained as a reactive request handler runs them ({@code concatMap}: each subscribed once the one before
 * completed) cost one round trip each and no thread hand-off: the next statement is subscribed on the event loop
 * that delivered the previous one's rows and leaves from there, one socket write per statement.
 */
@TuskTest
@Timeout(60)
class ChainedStatementsTest {
    private static final Duration T = Duration.ofSeconds(30);

    /** The connection's driver, for its count of socket writes (not API). */
    private static EventLoopDriver driver(TuskConnection c) throws ReflectiveOperationException {
        Method m = AsyncConnection.class.getDeclaredMethod("driver");
        m.setAccessible(true);
        return (EventLoopDriver) m.invoke(c.unwrap());
    }

    private static Flux<Integer> select(TuskConnection c, int i) {
        return Flux.from(c.createStatement("SELECT $1::int4 * 2").bind(0, i).execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)));
    }

    @Test
    void statementsChainedByConcatMapLeaveFromTheEventLoopInOneWriteEach(TestDatabase db) throws Exception {
        TuskConnection c = R2dbc.connect(db);
        try {
            assertThat(select(c, 1).collectList().block(T)).containsExactly(2); // prepared before counting
            EventLoopDriver d = driver(c);
            Thread test = Thread.currentThread();
            List<Integer> offLoop = new CopyOnWriteArrayList<>();
            AtomicInteger elsewhere = new AtomicInteger();
            long writesBefore = d.writes();
            List<Integer> values = Flux.range(0, 100)
                    .concatMap(i -> {
                        if (i > 0 && !EventLoop.isEventLoopThread()) {
                            offLoop.add(i);
                            if (Thread.currentThread() != test) {
                                elsewhere.incrementAndGet();
                            }
                        }
                        return select(c, i);
                    })
                    .collectList().block(T);
            long writes = d.writes() - writesBefore;
            assertThat(values).containsExactlyElementsOf(IntStream.range(0, 100).map(i -> i * 2).boxed().toList());
            // concatMap's drain may still run on the subscribing thread when the first answers complete before
            // it left (Reactor's work stealing): then the first few statements after the first are subscribed
            // there (how many depends on the machine's load: 4 were seen under a full build on two cores). Every
            // later one must be subscribed on the event loop, and none on any other thread.
            assertThat(elsewhere).as("statements subscribed on a thread neither the loop nor the test's").hasValue(0);
            assertThat(offLoop).as("statements 2..100 subscribed off the event loop (only a leading few may be)")
                    .hasSizeLessThanOrEqualTo(10)
                    .isEqualTo(IntStream.rangeClosed(1, offLoop.size()).boxed().toList());
            assertThat(writes).as("socket writes for 100 chained statements").isEqualTo(100);
        } finally {
            R2dbc.close(c);
        }
    }
}
