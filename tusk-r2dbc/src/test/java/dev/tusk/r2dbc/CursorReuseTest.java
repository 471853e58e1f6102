package dev.tusk.r2dbc;

import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver keeps the Tusk cursors of completed statements for the next ones (their adapter caches); a cursor
 * sees the adapters registered before it was made, so a registration on the connection must reach every later
 * statement, kept cursors or not.
 */
@TuskTest
@Timeout(60)
class CursorReuseTest {
    private static final Duration T = Duration.ofSeconds(30);

    /** Reads an int4 as "int:" and its text: a loader a test registers to see which adapters read a value. */
    static final Loader<String> MARKED_INT = new Loader<>() {
        @Override
        public String load(ByteBuffer data) {
            return "int:" + StandardCharsets.UTF_8.decode(data);
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    private static List<Object> values(TuskConnection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Object.class))).collectList().block(T);
    }

    @Test
    void aLoaderRegisteredOnTheConnectionAfterStatementsRanReachesTheNextStatement(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            for (int i = 0; i < 5; i++) { // cursors made and kept before the registration
                assertThat(values(c, "SELECT 7::int4")).containsExactly(7);
            }
            c.unwrap().adapters().registerLoader("int4", MARKED_INT);
            assertThat(values(c, "SELECT 7::int4")).containsExactly("int:7");
            assertThat(values(c, "SELECT 8::int4")).containsExactly("int:8");
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void aLoaderRegisteredAfterBoundStatementsRanReachesTheNextBoundStatement(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            for (int i = 0; i < 5; i++) { // the last cursor of bound statements kept, and others in the queue
                assertThat(bound(c, i)).containsExactly(i);
            }
            Flux.range(0, 8).flatMap(i -> Flux.fromIterable(bound(c, i)), 8).collectList().block(T);
            c.unwrap().adapters().registerLoader("int4", MARKED_INT);
            assertThat(bound(c, 7)).containsExactly("int:7");
            assertThat(bound(c, 8)).containsExactly("int:8");
            assertThat(values(c, "SELECT 9::int4")).containsExactly("int:9");
        } finally {
            R2dbc.close(c);
        }
    }

    private static List<Object> bound(TuskConnection c, int v) {
        return Flux.from(c.createStatement("SELECT $1::int4").bind(0, v).execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Object.class))).collectList().block(T);
    }

    @Test
    void statementsRunOneAfterTheOtherAndInterleavedGetTheirOwnRows(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            for (int i = 0; i < 50; i++) {
                int n = i;
                assertThat(Flux.from(c.createStatement("SELECT g FROM generate_series(1, $1) g").bind(0, n).execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).count().block(T)).isEqualTo(n);
            }
            List<Integer> sums = Flux.range(0, 200)
                    .flatMap(i -> Flux.from(c.createStatement("SELECT sum(g)::int4 FROM generate_series(1, $1) g").bind(0, i + 1).execute())
                            .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))), 32)
                    .collectList().block(T);
            assertThat(sums).hasSize(200).containsExactlyInAnyOrderElementsOf(
                    Flux.range(1, 200).map(k -> k * (k + 1) / 2).collectList().block(T));
        } finally {
            R2dbc.close(c);
        }
    }
}
