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
            AtomicInteger offLoop = new AtomicInteger();
            long writesBefore = d.writes();
            List<Integer> values = Flux.range(0, 100)
                    .concatMap(i -> {
                        if (i > 0 && !EventLoop.isEventLoopThread()) {
                            offLoop.incrementAndGet();
                        }
                        return select(c, i);
                    })
                    .collectList().block(T);
            long writes = d.writes() - writesBefore;
            assertThat(values).containsExactlyElementsOf(IntStream.range(0, 100).map(i -> i * 2).boxed().toList());
            assertThat(offLoop).as("statements 2..100 subscribed off the event loop").hasValue(0);
            assertThat(writes).as("socket writes for 100 chained statements").isEqualTo(100);
        } finally {
            R2dbc.close(c);
        }
    }
}
