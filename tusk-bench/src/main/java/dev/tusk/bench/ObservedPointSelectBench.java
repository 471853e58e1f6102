package dev.tusk.bench;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.opentelemetry.TuskTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Point selects as {@link PointSelectBench} does them, with no listener ({@code tusk}), with a listener that
 * implements nothing ({@code tusk-noop}: the events are made and dispatched, then ignored), and with
 * {@code tusk-opentelemetry} on an OpenTelemetry SDK that samples every span ({@code tusk-otel}): a span per
 * statement through a batch processor to an exporter that only counts them, and the duration histogram read
 * every second. pgjdbc is the table's baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ObservedPointSelectBench {
    @Param({"tusk", "tusk-noop", "tusk-otel", "pgjdbc"})
    public String client;

    private Connection<Row> conn;
    private java.sql.Connection jdbc;
    private PreparedStatement ps;
    private OpenTelemetrySdk otel;
    private final LongAdder exported = new LongAdder();
    private int next;
    private Spinner spinner;

    @Setup(Level.Trial)
    public void open() throws Exception {
        spinner = new Spinner();
        switch (client) {
            case "tusk" -> conn = Connection.connect(ConnectOptions.builder().conninfo(BenchServer.tuskConninfo())
                    .autocommit(true).build());
            // a listener that implements nothing: the cost of the events themselves (made, dispatched, ignored)
            case "tusk-noop" -> conn = Connection.connect(ConnectOptions.builder().conninfo(BenchServer.tuskConninfo())
                    .autocommit(true).listener(new dev.tusk.observe.TuskListener() { }).build());
            case "tusk-otel" -> {
                otel = OpenTelemetrySdk.builder()
                        .setTracerProvider(SdkTracerProvider.builder()
                                .addSpanProcessor(BatchSpanProcessor.builder(new CountingSpanExporter()).build()).build())
                        .setMeterProvider(SdkMeterProvider.builder()
                                .registerMetricReader(PeriodicMetricReader.builder(new DiscardingMetricExporter())
                                        .setInterval(Duration.ofSeconds(1)).build()).build())
                        .build();
                conn = Connection.connect(ConnectOptions.builder().conninfo(BenchServer.tuskConninfo()).autocommit(true)
                        .listener(TuskTelemetry.create(otel).listener()).build());
            }
            case "pgjdbc" -> {
                jdbc = DriverManager.getConnection(BenchServer.jdbcUrl(""));
                jdbc.setAutoCommit(true);
                ps = jdbc.prepareStatement("SELECT v FROM bench_kv WHERE id = ?");
            }
            default -> throw new IllegalArgumentException(client);
        }
        for (int i = 0; i < 20; i++) {
            String v = get(4242);
            if (!"value-4242".equals(v)) {
                throw new IllegalStateException(client + " returned " + v);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        if (conn != null) {
            conn.close();
        }
        if (jdbc != null) {
            jdbc.close();
        }
        if (otel != null) {
            otel.close();
            if (exported.sum() == 0) {
                throw new IllegalStateException("tusk-otel exported no span: the listener did not run");
            }
        }
        spinner.close();
    }

    @Benchmark
    public String pointSelect() throws Exception {
        int id = next = next % BenchServer.KV_ROWS + 1;
        return get(id);
    }

    private String get(int id) throws Exception {
        if (ps != null) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
        return conn.execute("SELECT v FROM bench_kv WHERE id = %s", id).fetchone().getString(0);
    }

    private final class CountingSpanExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            exported.add(spans.size());
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private static final class DiscardingMetricExporter implements MetricExporter {
        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }
    }
}
