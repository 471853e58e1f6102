package dev.tusk.opentelemetry;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.TuskListener;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.pool.PoolTimeout;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(120)
class TuskTelemetryTest {
    private InMemorySpanExporter spans;
    private InMemoryMetricReader metrics;
    private OpenTelemetrySdk otel;
    private TuskListener listener;

    @BeforeEach
    void setUp() {
        spans = InMemorySpanExporter.create();
        metrics = InMemoryMetricReader.create();
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
        listener = TuskTelemetry.create(otel).listener();
    }

    @AfterEach
    void tearDown() {
        otel.close();
    }

    private ConnectOptions<Row> options(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).listener(listener).build();
    }

    private List<SpanData> spansNamed(String name) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).collect(Collectors.toList());
    }

    private static <T> T attr(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    private MetricData metric(String name) {
        Optional<MetricData> m = metrics.collectAllMetrics().stream().filter(d -> d.getName().equals(name)).findFirst();
        assertThat(m).as("metric %s", name).isPresent();
        return m.get();
    }

    @Test
    void aQueryIsAClientSpanWithTheConventionsAttributesUnderTheCurrentSpan(TestDatabase db) {
        Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
        try (Connection<Row> conn = Connection.connect(options(db)); Scope ignored = parent.makeCurrent()) {
            assertThat(conn.execute("SELECT %s::int + 1", 41).fetchone().getInt(0)).isEqualTo(42);
        } finally {
            parent.end();
        }
        List<SpanData> selects = spansNamed("SELECT " + db.dbname());
        assertThat(selects).hasSize(1);
        SpanData s = selects.get(0);
        assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(s.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
        assertThat(attr(s, OtelListener.DB_SYSTEM_NAME)).isEqualTo("postgresql");
        assertThat(attr(s, OtelListener.DB_NAMESPACE)).isEqualTo(db.dbname());
        assertThat(attr(s, OtelListener.DB_OPERATION_NAME)).isEqualTo("SELECT");
        assertThat(attr(s, OtelListener.DB_QUERY_TEXT)).isEqualTo("SELECT $1::int + 1");
        assertThat(attr(s, OtelListener.SERVER_ADDRESS)).isEqualTo(db.host());
        assertThat(attr(s, OtelListener.SERVER_PORT)).isEqualTo((long) db.port());
        assertThat(attr(s, OtelListener.DB_RESPONSE_RETURNED_ROWS)).isEqualTo(1L);
        assertThat(attr(s, OtelListener.TUSK_RESPONSE_BYTES)).as("the bytes of the value 42").isPositive();
        assertThat(attr(s, OtelListener.DB_RESPONSE_STATUS_CODE)).isNull();
        assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        MetricData duration = metric("db.client.operation.duration");
        assertThat(duration.getUnit()).isEqualTo("s");
        HistogramPointData point = duration.getHistogramData().getPoints().stream()
                .filter(p -> "SELECT".equals(p.getAttributes().get(OtelListener.DB_OPERATION_NAME)))
                .findFirst().orElseThrow();
        assertThat(point.getCount()).isEqualTo(1);
        assertThat(point.getBoundaries()).isEqualTo(OtelListener.DURATION_BUCKETS);
        assertThat(point.getAttributes().get(OtelListener.DB_SYSTEM_NAME)).isEqualTo("postgresql");
        assertThat(point.getAttributes().get(OtelListener.DB_NAMESPACE)).isEqualTo(db.dbname());
        assertThat(point.getAttributes().get(OtelListener.DB_QUERY_TEXT)).as("no query text on metrics").isNull();
    }

    @Test
    void aFailedStatementHasStatusErrorAndItsSqlstate(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            assertThatThrownBy(() -> conn.execute("SELECT * FROM no_such_table"))
                    .isInstanceOf(TuskException.class);
        }
        SpanData s = spansNamed("SELECT " + db.dbname()).get(0);
        assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(s, OtelListener.DB_RESPONSE_STATUS_CODE)).isEqualTo("42P01");
        assertThat(attr(s, OtelListener.ERROR_TYPE)).isEqualTo("42P01");
        HistogramPointData point = metric("db.client.operation.duration").getHistogramData().getPoints().stream()
                .filter(p -> "42P01".equals(p.getAttributes().get(OtelListener.DB_RESPONSE_STATUS_CODE)))
                .findFirst().orElseThrow();
        assertThat(point.getAttributes().get(OtelListener.ERROR_TYPE)).isEqualTo("42P01");
    }

    @Test
    void aPipelineIsOneSpanWithItsStatementsAsChildren(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            conn.execute("CREATE TABLE p (a int)");
            spans.reset();
            try (Pipeline p = conn.pipeline()) {
                for (int i = 0; i < 3; i++) {
                    conn.execute("INSERT INTO p VALUES (%s)", i);
                }
                conn.execute("SELECT count(*) FROM p");
                p.sync();
            }
        }
        List<SpanData> pipelines = spansNamed("PIPELINE " + db.dbname());
        assertThat(pipelines).hasSize(1);
        SpanData pipeline = pipelines.get(0);
        assertThat(attr(pipeline, OtelListener.DB_OPERATION_BATCH_SIZE)).isEqualTo(4L);
        List<SpanData> children = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getParentSpanId().equals(pipeline.getSpanId())).collect(Collectors.toList());
        assertThat(children).extracting(SpanData::getName).containsExactlyInAnyOrder(
                "INSERT " + db.dbname(), "INSERT " + db.dbname(), "INSERT " + db.dbname(), "SELECT " + db.dbname());
        assertThat(children).allSatisfy(c -> assertThat(c.getTraceId()).isEqualTo(pipeline.getTraceId()));
    }

    @Test
    void aCopyIsASpanWithItsRowsAndBytes(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            conn.execute("CREATE TABLE c (a int, b text)");
            spans.reset();
            try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
                copy.writeRow(1, "one");
                copy.writeRow(2, "two");
                copy.finish();
            }
        }
        List<SpanData> copies = spansNamed("COPY " + db.dbname());
        assertThat(copies).isNotEmpty();
        SpanData s = copies.get(0);
        assertThat(attr(s, OtelListener.DB_QUERY_TEXT)).isEqualTo("COPY c FROM STDIN");
        assertThat(attr(s, OtelListener.TUSK_COPY_DIRECTION)).isEqualTo("to_server");
        assertThat(attr(s, OtelListener.TUSK_ROWS_AFFECTED)).isEqualTo(2L);
        assertThat(attr(s, OtelListener.TUSK_COPY_BYTES)).isGreaterThan(0L);
        assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aTransactionBlockIsTheParentOfItsStatementsAndRecordsItsOutcome(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            conn.execute("CREATE TABLE t (a int)");
            conn.commit();
            spans.reset();
            conn.transaction(tx -> {
                conn.execute("INSERT INTO t VALUES (1)");
                return null;
            });
        }
        List<SpanData> txs = spansNamed("TRANSACTION " + db.dbname());
        assertThat(txs).hasSize(1);
        SpanData tx = txs.get(0);
        assertThat(attr(tx, OtelListener.TUSK_TX_OUTCOME)).isEqualTo("committed");
        assertThat(tx.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        SpanData insert = spansNamed("INSERT " + db.dbname()).get(0);
        assertThat(insert.getParentSpanId()).isEqualTo(tx.getSpanId());
    }

    @Test
    void anAsyncStatementEndedOnTheEventLoopHasTheSubmittingThreadsSpanAsParent(TestDatabase db) throws Exception {
        AtomicReference<Thread> endedOn = new AtomicReference<>();
        TuskListener where = new TuskListener() {
            @Override
            public void statementEnded(StatementEnd end, Object context) {
                if (end.start().sql().contains("pg_sleep")) {
                    endedOn.set(Thread.currentThread());
                }
            }
        };
        ConnectOptions<Row> opts = ConnectOptions.builder().conninfo(db.conninfo()).listener(listener).listener(where).build();
        AsyncConnection<Row> conn = AsyncConnection.connect(opts).get();
        try {
            Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
            CompletableFuture<?> done;
            try (Scope ignored = parent.makeCurrent()) {
                done = conn.execute("SELECT pg_sleep(0.05)");
            }
            parent.end();
            // waits on a dependent stage: a caller joining the statement's own future while nothing else is in
            // flight reads the reply on its own thread, and this test is about a statement that ends on the loop
            done.thenRun(() -> { }).get();
        } finally {
            conn.close();
        }
        assertThat(endedOn.get()).isNotNull().isNotSameAs(Thread.currentThread());
        SpanData s = spansNamed("SELECT " + db.dbname()).stream()
                .filter(x -> attr(x, OtelListener.DB_QUERY_TEXT).contains("pg_sleep")).findFirst().orElseThrow();
        SpanData request = spansNamed("request").get(0);
        assertThat(s.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(s.getTraceId()).isEqualTo(request.getTraceId());
    }

    @Test
    void aPoolTimeoutIsCountedAndThePoolsGaugesAreRecorded(TestDatabase db) {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().options(options(db)).name("otel").minSize(1).maxSize(1)
                .timeout(Duration.ofMillis(200)).open(true).build()) {
            try (Connection<Row> held = pool.connection()) {
                held.execute("SELECT 1");
                assertThatThrownBy(pool::connection).isInstanceOf(PoolTimeout.class);
                Collection<MetricData> all = metrics.collectAllMetrics();
                assertThat(longSum(all, "db.client.connection.count", Attributes.of(OtelListener.POOL_NAME, "otel",
                        OtelListener.CONNECTION_STATE, "used"))).isEqualTo(1L);
                assertThat(longSum(all, "db.client.connection.count", Attributes.of(OtelListener.POOL_NAME, "otel",
                        OtelListener.CONNECTION_STATE, "idle"))).isEqualTo(0L);
                assertThat(longSum(all, "db.client.connection.max", Attributes.of(OtelListener.POOL_NAME, "otel"))).isEqualTo(1L);
                assertThat(longSum(all, "db.client.connection.timeouts", Attributes.of(OtelListener.POOL_NAME, "otel"))).isEqualTo(1L);
                assertThat(histogramCount(all, "db.client.connection.wait_time")).isGreaterThanOrEqualTo(1);
                assertThat(histogramCount(all, "db.client.connection.create_time")).isGreaterThanOrEqualTo(1);
                assertThat(all.stream().filter(d -> d.getName().equals("db.client.connection.create_time"))
                        .flatMap(d -> d.getHistogramData().getPoints().stream()).map(PointData::getAttributes))
                        .as("the pool's connections are created with the server's address, port and database")
                        .contains(Attributes.of(OtelListener.POOL_NAME, "otel", OtelListener.SERVER_ADDRESS, db.host(),
                                OtelListener.SERVER_PORT, (long) db.port(), OtelListener.DB_NAMESPACE, db.dbname()));
            }
            Collection<MetricData> after = metrics.collectAllMetrics();
            assertThat(histogramCount(after, "db.client.connection.use_time")).isGreaterThanOrEqualTo(1);
        }
    }

    private static long longSum(Collection<MetricData> all, String name, Attributes attributes) {
        MetricData m = all.stream().filter(d -> d.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
        return m.getLongSumData().getPoints().stream().filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue).findFirst().orElseThrow(() -> new AssertionError("no point " + attributes));
    }

    private static long histogramCount(Collection<MetricData> all, String name) {
        return all.stream().filter(d -> d.getName().equals(name)).flatMap(d -> d.getHistogramData().getPoints().stream())
                .mapToLong(HistogramPointData::getCount).sum();
    }

    @Test
    void aConnectThatTriedTwoHostsMakesTwoSpansTheFirstFailed(TestDatabase db) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String conninfo = "host=127.0.0.1,127.0.0.1 port=" + closedPort + "," + db.port() + " dbname=" + db.dbname()
                + " user=" + db.superuser();
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(conninfo).listener(listener).build())) {
            conn.execute("SELECT 1");
        }
        List<SpanData> connects = spans.getFinishedSpanItems().stream()
                .filter(s -> "CONNECT".equals(attr(s, OtelListener.DB_OPERATION_NAME))).collect(Collectors.toList());
        assertThat(connects).hasSize(2);
        assertThat(attr(connects.get(0), OtelListener.SERVER_PORT)).isEqualTo((long) closedPort);
        assertThat(connects.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(connects.get(0), OtelListener.ERROR_TYPE)).isNotBlank();
        assertThat(attr(connects.get(1), OtelListener.SERVER_PORT)).isEqualTo((long) db.port());
        assertThat(connects.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(attr(connects.get(1), OtelListener.DB_NAMESPACE)).isEqualTo(db.dbname());
    }

    @Test
    void noParameterValueNorPasswordShowsInAnySpanEventOrMetric(TestDatabase db) {
        String secret = "zq-secret-7781";
        String password = db.scramPassword();
        ConnectOptions<Row> opts = ConnectOptions.builder().conninfo(db.conninfo(db.scramUser(), password))
                .listener(listener).build();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().options(opts).name("secrets").minSize(1).maxSize(1).open(true).build();
             Connection<Row> conn = pool.connection()) {
            conn.execute("CREATE TEMP TABLE s (v text PRIMARY KEY)");
            conn.execute("INSERT INTO s VALUES (%s)", secret);
            // the server's messages quote values: the key's in a unique violation, the text in a failed cast
            assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (%s)", secret)).isInstanceOf(TuskException.class);
            conn.rollback();
            assertThatThrownBy(() -> conn.execute("SELECT %s::int", secret)).isInstanceOf(TuskException.class);
            conn.rollback();
            conn.cursor().executemany("SELECT %s", List.of(List.of(secret), List.of(secret)));
            conn.transaction(tx -> conn.execute("SELECT %s", secret));
        }
        List<String> seen = new ArrayList<>();
        for (SpanData s : spans.getFinishedSpanItems()) {
            seen.add(s.getName());
            seen.add(s.getStatus().getDescription());
            s.getAttributes().forEach((k, v) -> seen.add(k.getKey() + "=" + v));
            for (EventData e : s.getEvents()) {
                seen.add(e.getName());
                e.getAttributes().forEach((k, v) -> seen.add(k.getKey() + "=" + v));
            }
        }
        for (MetricData m : metrics.collectAllMetrics()) {
            seen.add(m.getName());
            for (PointData p : m.getData().getPoints()) {
                p.getAttributes().forEach((k, v) -> seen.add(k.getKey() + "=" + v));
            }
        }
        assertThat(seen).anySatisfy(x -> assertThat(x).contains("db.response.status_code=23505"));
        assertThat(seen).anySatisfy(x -> assertThat(x).contains("db.response.status_code=22P02"));
        assertThat(seen).noneSatisfy(x -> assertThat(String.valueOf(x)).contains(secret));
        assertThat(seen).noneSatisfy(x -> assertThat(String.valueOf(x)).contains(password));
    }
    // ---------------------------------------------------------------- sqlcommenter traceparent

    private ConnectOptions<Row> propagating(TestDatabase db) {
        TuskListener l = TuskTelemetry.builder(otel).propagateTraceparent(true).build().listener();
        return ConnectOptions.builder().conninfo(db.conninfo()).listener(l).build();
    }

    /** The span of the statement whose text (as listeners see it, without the comment) is {@code sql}. */
    private SpanData spanOf(String sql) {
        return spans.getFinishedSpanItems().stream().filter(x -> sql.equals(attr(x, OtelListener.DB_QUERY_TEXT)))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no span for " + sql));
    }

    private static String traceparent(SpanData s) {
        return "/*traceparent='00-" + s.getTraceId() + "-" + s.getSpanId() + "-" + s.getSpanContext().getTraceFlags().asHex() + "'*/";
    }

    @Test
    void aStatementCarriesItsSpansTraceparentToTheServerWhenTurnedOn(TestDatabase db) {
        Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
        String simple;
        String extended;
        try (Connection<Row> conn = Connection.connect(propagating(db)); Scope ignored = parent.makeCurrent()) {
            // the server's own view of the text it received: the statement asks for its text itself
            simple = conn.execute("SELECT current_query()").fetchone().getString(0);
            extended = conn.execute("SELECT current_query(), %s::int;", 7).fetchone().getString(0);
        } finally {
            parent.end();
        }
        SpanData s1 = spanOf("SELECT current_query()");
        assertThat(s1.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
        assertThat(simple).isEqualTo("SELECT current_query() " + traceparent(s1));
        SpanData s2 = spanOf("SELECT current_query(), $1::int;");
        assertThat(s2.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(extended).as("before the final semicolon").isEqualTo("SELECT current_query(), $1::int " + traceparent(s2) + ";");
        assertThat(attr(s2, OtelListener.DB_QUERY_TEXT)).as("listeners see the text without the comment")
                .doesNotContain("traceparent");
    }

    @Test
    void noTraceparentIsSentByDefault(TestDatabase db) {
        Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
        try (Connection<Row> conn = Connection.connect(options(db)); Scope ignored = parent.makeCurrent()) {
            assertThat(conn.execute("SELECT current_query()").fetchone().getString(0)).isEqualTo("SELECT current_query()");
        } finally {
            parent.end();
        }
    }

    @Test
    void aStatementRunPreparedCarriesNoCommentAndIsStillPreparedAfterTheThreshold(TestDatabase db) {
        List<String> texts = new ArrayList<>();
        List<Boolean> prepared = new ArrayList<>();
        TuskListener preparedOrNot = new TuskListener() {
            @Override
            public void statementEnded(StatementEnd end, Object context) {
                if (end.start().sql().contains("current_query")) {
                    prepared.add(end.prepared());
                }
            }
        };
        TuskListener l = TuskTelemetry.builder(otel).propagateTraceparent(true).build().listener();
        ConnectOptions<Row> opts = ConnectOptions.builder().conninfo(db.conninfo()).listener(l).listener(preparedOrNot)
                .prepareThreshold(2).build();
        try (Connection<Row> conn = Connection.connect(opts)) {
            for (int i = 0; i < 4; i++) {
                texts.add(conn.execute("SELECT current_query(), %s::int", i).fetchone().getString(0));
            }
            assertThat(conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
                    "SELECT current_query(), $1::int").fetchone().getLong(0))
                    .as("prepared under the text without a comment").isEqualTo(1L);
        }
        // the cache counts the text without its comment: the third run is prepared, as without listeners
        assertThat(prepared).containsExactly(false, false, true, true);
        assertThat(texts.get(0)).contains("traceparent='00-");
        assertThat(texts.get(1)).contains("traceparent='00-");
        assertThat(texts.get(2)).isEqualTo("SELECT current_query(), $1::int");
        assertThat(texts.get(3)).isEqualTo("SELECT current_query(), $1::int");
    }

    @Test
    void anAsyncStatementCarriesItsSpansTraceparentWhoseParentIsTheSubmittersSpan(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = AsyncConnection.connect(propagating(db)).get();
        String seen;
        Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
        try {
            CompletableFuture<String> text;
            try (Scope ignored = parent.makeCurrent()) {
                text = conn.execute("SELECT current_query(), %s::text", "x")
                        .thenApply(c -> c.fetchone().getString(0));
            }
            seen = text.get();
        } finally {
            parent.end();
            conn.close();
        }
        SpanData s = spanOf("SELECT current_query(), $1::text");
        assertThat(s.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(seen).isEqualTo("SELECT current_query(), $1::text " + traceparent(s));
    }

    @Test
    void aStatementWithACommentOfItsOwnIsLeftAlone(TestDatabase db) {
        Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
        try (Connection<Row> conn = Connection.connect(propagating(db)); Scope ignored = parent.makeCurrent()) {
            assertThat(conn.execute("SELECT current_query() /* mine */").fetchone().getString(0))
                    .isEqualTo("SELECT current_query() /* mine */");
        } finally {
            parent.end();
        }
    }
}
