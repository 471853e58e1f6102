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

    /**
     * A result's segments in the order they came: the notices raised before the answer, every row, then the count
     * of affected rows; with no row, the notices and the count alone; a result of many rows keeps them all, in order.
     */
    @Test
    void segmentsKeepNoticesRowsAndCountInOrder(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Flux.from(c.createStatement("CREATE TEMP TABLE seg_order (g int)").execute()).concatMap(Result::getRowsUpdated).blockLast(T);
            Flux.from(c.createStatement("CREATE FUNCTION pg_temp.noted(v int) RETURNS int LANGUAGE plpgsql AS"
                    + " $$ BEGIN RAISE NOTICE 'row %', v; RETURN v; END $$").execute()).concatMap(Result::getRowsUpdated).blockLast(T);
            assertThat(segments(Flux.from(c.createStatement("INSERT INTO seg_order SELECT pg_temp.noted(g)"
                    + " FROM generate_series(1, 3) g RETURNING g").execute())))
                    .containsExactly("other", "other", "other", "row 1 of 1", "row 2 of 1", "row 3 of 1", "count");
            assertThat(segments(Flux.from(c.createStatement("UPDATE seg_order SET g = pg_temp.noted(g) WHERE g > 3 RETURNING g")
                    .execute()))).containsExactly("count");
            List<Integer> many = Flux.from(c.createStatement("SELECT g FROM generate_series(1, 70000) g").execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).collectList().block(T);
            assertThat(many).hasSize(70_000);
            for (int i = 0; i < many.size(); i++) {
                assertThat(many.get(i)).isEqualTo(i + 1);
            }
        } finally {
            R2dbc.close(c);
        }
    }
}
