package dev.tusk.r2dbc;

import dev.tusk.Conninfo;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Statements: add() batches as one pipeline, RETURNING, fetchSize through a portal, cancellation, notices. */
@TuskTest
@Timeout(120)
class StatementTest {
    private static final Duration T = Duration.ofSeconds(60);

    @Test
    void addedBindingsAreOnePipelineAndAnswerInOrder(TestDatabase db) {
        db.admin("CREATE TABLE item (id serial PRIMARY KEY, n int NOT NULL)");
        // every chunk crossing the proxy waits 100 ms each way: 200 round trips would take over 40 s
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port()).delay(Duration.ofMillis(100))) {
            ConnectionFactoryOptions o = ConnectionFactoryOptions.parse(R2dbc.url(db)).mutate()
                    .option(ConnectionFactoryOptions.PORT, proxy.port()).build();
            Connection c = Mono.from(ConnectionFactories.get(o).create()).block(T);
            try {
                Statement st = c.createStatement("INSERT INTO item (n) VALUES ($1) RETURNING n");
                for (int i = 0; i < 200; i++) {
                    st.bind(0, i);
                    if (i < 199) {
                        st.add();
                    }
                }
                long start = System.nanoTime();
                List<Integer> ns = Flux.from(st.execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)))
                        .collectList().block(T);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(ns).hasSize(200);
                for (int i = 0; i < 200; i++) {
                    assertThat(ns.get(i)).isEqualTo(i);
                }
                assertThat(ms).as("200 bindings through a 100 ms proxy took %d ms", ms).isLessThan(15_000);
            } finally {
                R2dbc.close(c);
            }
        }
        assertThat(db.adminQuery("SELECT count(*) FROM item")).isEqualTo("200");
    }

    @Test
    void addedBindingsGetOneUpdateCountEachAndCommitTogether(TestDatabase db) {
        db.admin("CREATE TABLE u (name text PRIMARY KEY, n int)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Statement st = c.createStatement("INSERT INTO u VALUES ($1, $2)")
                    .bind(0, "a").bind(1, 1).add().bind(0, "b").bindNull(1, Integer.class).add().bind(0, "c").bind(1, 3);
            List<Long> counts = Flux.from(st.execute()).concatMap(Result::getRowsUpdated).collectList().block(T);
            assertThat(counts).containsExactly(1L, 1L, 1L);
            // an UPDATE's bindings: each Result has its own binding's count
            List<Long> updated = Flux.from(c.createStatement("UPDATE u SET n = 0 WHERE name >= $1")
                            .bind(0, "a").add().bind(0, "c").add().bind(0, "z").execute())
                    .concatMap(Result::getRowsUpdated).collectList().block(T);
            assertThat(updated).containsExactly(3L, 1L, 0L);
            assertThat(db.adminQuery("SELECT count(*) FROM u WHERE n = 0")).isEqualTo("3");
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void aFailingBindingFailsTheWholeStatementAndNothingOfItIsCommitted(TestDatabase db) {
        db.admin("CREATE TABLE u (name text PRIMARY KEY)");
        TuskConnection c = R2dbc.connect(db);
        try {
            // auto-commit: the bindings run as one unit; the duplicate in the middle rolls back "a" and "b" and
            // skips "c", and execute() emits one Result, carrying the error
            Statement st = c.createStatement("INSERT INTO u VALUES ($1)")
                    .bind(0, "a").add().bind(0, "b").add().bind(0, "a").add().bind(0, "c");
            List<Object> outcomes = Flux.from(st.execute())
                    .concatMap(r -> Mono.from(r.getRowsUpdated()).<Object>map(n -> n)
                            .onErrorResume(e -> Mono.just(e.getClass().getSimpleName() + " " + ((io.r2dbc.spi.R2dbcException) e).getSqlState())))
                    .collectList().block(T);
            assertThat(outcomes).containsExactly("R2dbcDataIntegrityViolationException 23505");
            assertThat(db.adminQuery("SELECT count(*) FROM u")).isEqualTo("0");
            // the connection goes on, in auto-commit, and the same statement without the duplicate commits
            assertThat(c.isAutoCommit()).isTrue();
            assertThat(Flux.from(c.createStatement("INSERT INTO u VALUES ($1)").bind(0, "a").add().bind(0, "b").execute())
                    .concatMap(Result::getRowsUpdated).collectList().block(T)).containsExactly(1L, 1L);
            assertThat(db.adminQuery("SELECT string_agg(name, ',' ORDER BY name) FROM u")).isEqualTo("a,b");

            // inside a transaction the error aborts the transaction, as any error does: statements after it fail
            // (25P02) until it is rolled back, and nothing of it is committed
            Mono.from(c.beginTransaction()).block(T);
            Flux.from(c.createStatement("INSERT INTO u VALUES ('x')").execute()).concatMap(Result::getRowsUpdated).blockLast(T);
            List<Object> inTx = Flux.from(c.createStatement("INSERT INTO u VALUES ($1)").bind(0, "y").add().bind(0, "a").execute())
                    .concatMap(r -> Mono.from(r.getRowsUpdated()).<Object>map(n -> n)
                            .onErrorResume(e -> Mono.just(((io.r2dbc.spi.R2dbcException) e).getSqlState())))
                    .collectList().block(T);
            assertThat(inTx).containsExactly("23505");
            assertThat(Flux.from(c.createStatement("SELECT 1").execute()).concatMap(r -> r.map((row, md) -> 1))
                    .onErrorResume(e -> Mono.just(((io.r2dbc.spi.R2dbcException) e).getSqlState().hashCode())).blockLast(T))
                    .isEqualTo("25P02".hashCode());
            Mono.from(c.rollbackTransaction()).block(T);
            assertThat(db.adminQuery("SELECT string_agg(name, ',' ORDER BY name) FROM u")).isEqualTo("a,b");
            assertThat(Mono.from(c.validate(io.r2dbc.spi.ValidationDepth.REMOTE)).block(T)).isTrue();
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void returnGeneratedValuesAppendsReturning(TestDatabase db) {
        db.admin("CREATE TABLE g (id bigserial PRIMARY KEY, name text)");
        TuskConnection c = R2dbc.connect(db);
        try {
            List<Long> ids = Flux.from(c.createStatement("INSERT INTO g (name) VALUES ($1)")
                            .bind("$1", "x").add().bind("$1", "y").returnGeneratedValues("id").execute())
                    .concatMap(r -> r.map((row, md) -> row.get("id", Long.class))).collectList().block(T);
            assertThat(ids).containsExactly(1L, 2L);
            Long updated = Flux.from(c.createStatement("UPDATE g SET name = 'z'").returnGeneratedValues().execute())
                    .concatMap(Result::getRowsUpdated).blockLast(T);
            assertThat(updated).isEqualTo(2L);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void fetchSizeReadsThroughAPortalAndCancellingMidResultLeavesTheConnectionUsable(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            List<Integer> first = Flux.from(c.createStatement("SELECT g FROM generate_series(1, $1) g").bind(0, 100_000)
                            .fetchSize(50).execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)))
                    .take(120).collectList().block(T);
            assertThat(first).hasSize(120).startsWith(1, 2, 3).endsWith(120);
            // the portal's transaction ended with the cancellation; the session is idle and answers
            assertThat(c.isAutoCommit()).isTrue();
            Integer one = Flux.from(c.createStatement("SELECT 1").execute()).concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)))
                    .blockLast(T);
            assertThat(one).isEqualTo(1);
            assertThat(c.unwrap().info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);
            // the whole result, in chunks of 7, with '%' in the text and the parameter used twice
            List<String> all = Flux.from(c.createStatement("SELECT g || '%' || $1 FROM generate_series(1, $2) g WHERE $1 <> ''")
                            .bind(0, "x").bind(1, 20).fetchSize(7).execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, String.class))).collectList().block(T);
            assertThat(all).hasSize(20).startsWith("1%x").endsWith("20%x");
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void cancellingABufferedResultLeavesTheConnectionUsable(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            List<Integer> firstThree = Flux.from(c.createStatement("SELECT g FROM generate_series(1, 10000) g").execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).take(3).collectList().block(T);
            assertThat(firstThree).containsExactly(1, 2, 3);
            assertThat(Mono.from(c.validate(io.r2dbc.spi.ValidationDepth.REMOTE)).block(T)).isTrue();
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void cancellingTheOnlyStatementInFlightCancelsItOnTheServer(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            long start = System.nanoTime();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Flux.from(c.createStatement("SELECT pg_sleep(30)").execute())
                    .concatMap(Result::getRowsUpdated).timeout(Duration.ofMillis(300)).blockLast(T))
                    .hasMessageContaining("300ms");
            Integer one = Flux.from(c.createStatement("SELECT 1").execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockLast(T);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(one).isEqualTo(1);
            assertThat(ms).as("the next statement answered after %d ms: the sleep was not cancelled", ms).isLessThan(15_000);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void noticesAreMessageSegmentsBeforeTheUpdateCount(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            List<String> segs = Flux.from(c.createStatement("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$").execute())
                    .concatMap(r -> r.flatMap(s -> Mono.just(s instanceof Result.Message m
                            ? "message:" + m.message() + ":" + m.sqlState() : s.getClass().getSimpleName())))
                    .collectList().block(T);
            assertThat(segs).containsExactly("message:hello 42:00000");
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void aBatchAndAMultiStatementTextGiveOneResultPerStatement(TestDatabase db) {
        db.admin("CREATE TABLE b (x int)");
        TuskConnection c = R2dbc.connect(db);
        try {
            List<Long> counts = Flux.from(c.createBatch().add("INSERT INTO b VALUES (1), (2)").add("UPDATE b SET x = x + 1")
                            .add("DELETE FROM b WHERE x = 3").execute())
                    .concatMap(Result::getRowsUpdated).collectList().block(T);
            assertThat(counts).containsExactly(2L, 2L, 1L);
            List<Integer> sums = Flux.from(c.createStatement("SELECT 1; SELECT 2").execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).collectList().block(T);
            assertThat(sums).containsExactly(1, 2);
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void urlOptionsPassLibpqKeywordsThrough(TestDatabase db) {
        String url = R2dbc.url(db) + "?application_name=r2dbc-app&sslmode=disable&options=-c%20work_mem%3D12MB"
                + "&statementTimeout=PT7S";
        Connection c = Mono.from(ConnectionFactories.get(url).create()).block(T);
        try {
            List<String> got = Flux.from(c.createStatement(
                            "SELECT current_setting('application_name'), current_setting('work_mem'), current_setting('statement_timeout')")
                    .execute()).concatMap(r -> r.map((row, md) -> row.get(0, String.class) + "," + row.get(1, String.class)
                            + "," + row.get(2, String.class))).collectList().block(T);
            assertThat(got).containsExactly("r2dbc-app,12MB,7s");
            assertThat(c.getMetadata().getDatabaseProductName()).isEqualTo("PostgreSQL");
            assertThat(ConnectionFactories.get(url).getMetadata().getName()).isEqualTo("PostgreSQL");
        } finally {
            R2dbc.close(c);
        }
        assertThat(Conninfo.parse(db.conninfo())).isNotEmpty();
    }
}
