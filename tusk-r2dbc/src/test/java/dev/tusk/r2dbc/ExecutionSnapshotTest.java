package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An execution sends the values bound when {@code execute()} was called, whenever it is subscribed to and however
 * the statement is bound afterwards; a Result's rows are read as many times as its {@code map} publisher is
 * subscribed to, whatever their number.
 */
@TuskTest
@Timeout(60)
class ExecutionSnapshotTest {
    private static final Duration T = Duration.ofSeconds(30);

    private static List<Integer> ints(Publisher<? extends Result> results) {
        return Flux.from(results).concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).collectList().block(T);
    }

    @Test
    void anExecutionKeepsTheValuesBoundWhenExecuteWasCalled(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Statement st = c.createStatement("SELECT coalesce($1::int4 * 10, -1)");
            Publisher<? extends Result> first = st.bind(0, 1).execute();
            Publisher<? extends Result> second = st.bind(0, 2).execute();
            Publisher<? extends Result> again = st.execute(); // the same values, not bound again
            Publisher<? extends Result> nulled = st.bindNull(0, Integer.class).execute();
            st.bind(0, 3);
            assertThat(ints(second)).containsExactly(20);
            assertThat(ints(first)).containsExactly(10);
            assertThat(ints(first)).as("subscribed again").containsExactly(10);
            assertThat(ints(again)).containsExactly(20);
            assertThat(ints(nulled)).containsExactly(-1);
            assertThat(ints(st.execute())).containsExactly(30);

            Statement batch = c.createStatement("SELECT $1::int4 + $2::int4");
            Publisher<? extends Result> both = batch.bind(0, 1).bind(1, 1).add().bind(0, 2).bind(1, 2).execute();
            batch.bind(0, 100);
            assertThat(ints(both)).containsExactly(2, 4);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void aResultsRowsAreMappedAgainForEachSubscriber(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            for (int n = 0; n <= 3; n++) {
                Result r = Flux.from(c.createStatement("SELECT g FROM generate_series(1, $1) g").bind(0, n).execute())
                        .single().block(T);
                Flux<Integer> rows = Flux.from(r.map((row, md) -> row.get(0, Integer.class)));
                List<Integer> want = java.util.stream.IntStream.rangeClosed(1, n).boxed().toList();
                assertThat(rows.collectList().block(T)).as("%d rows, first subscriber", n).isEqualTo(want);
                assertThat(rows.collectList().block(T)).as("%d rows, second subscriber", n).isEqualTo(want);
                assertThat(rows.take(1).collectList().block(T)).as("%d rows, third subscriber takes one", n)
                        .isEqualTo(want.subList(0, Math.min(1, n)));
            }
        } finally {
            R2dbc.close(c);
        }
    }
}
