package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Result#flatMap} hands each row as a RowSegment whose row reads the values, read whole or through a server cursor. */
@TuskTest
@Timeout(60)
class RowSegmentTest {
    private static final Duration T = Duration.ofSeconds(30);

    private static List<String> segments(Flux<? extends Result> results) {
        return results.concatMap(r -> r.flatMap(s -> s instanceof Result.RowSegment rs
                        ? Mono.just("row " + rs.row().get("g", Integer.class) + " of " + rs.row().getMetadata().getColumnMetadatas().size())
                        : Mono.just(s.getClass().getSimpleName().contains("Count") ? "count" : "other")))
                .collectList().block(T);
    }

    @Test
    void flatMapHandsEachRowAsARowSegmentWhoseRowReadsItsValues(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            assertThat(segments(Flux.from(c.createStatement("SELECT g FROM generate_series(1, $1) g").bind(0, 3).execute())))
                    .containsExactly("row 1 of 1", "row 2 of 1", "row 3 of 1");
            assertThat(segments(Flux.from(c.createStatement("SELECT g FROM generate_series(1, 3) g").fetchSize(2).execute())))
                    .containsExactly("row 1 of 1", "row 2 of 1", "row 3 of 1");
        } finally {
            R2dbc.close(c);
        }
    }
}
