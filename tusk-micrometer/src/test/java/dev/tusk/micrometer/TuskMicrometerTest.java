package dev.tusk.micrometer;

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
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(120)
class TuskMicrometerTest {
    private SimpleMeterRegistry meters;
    private TestObservationRegistry observations;
    private TuskListener listener;

    @BeforeEach
    void setUp() {
        meters = new SimpleMeterRegistry();
        observations = TestObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        listener = TuskMicrometer.create(meters, observations).listener();
    }

    private ConnectOptions<Row> options(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).listener(listener).build();
    }

    private List<TuskObservationContext> statementContexts() {
        List<TuskObservationContext> out = new ArrayList<>();
        TestObservationRegistryAssert.assertThat(observations).hasHandledContextsThatSatisfy(all -> all.stream()
                .filter(c -> c instanceof TuskObservationContext).forEach(c -> out.add((TuskObservationContext) c)));
        return out;
    }

    private static String low(Observation.ContextView c, String key) {
        KeyValue kv = c.getLowCardinalityKeyValue(key);
        return kv == null ? null : kv.getValue();
    }

    private static String high(Observation.ContextView c, String key) {
        KeyValue kv = c.getHighCardinalityKeyValue(key);
        return kv == null ? null : kv.getValue();
    }

    @Test
    void poolMetersCarryHikariCpsNamesAndPoolTag(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().options(options(db)).name("mm").minSize(1).maxSize(1)
                .timeout(Duration.ofMillis(200)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            try (Connection<Row> held = pool.connection()) {
                held.execute("SELECT 1");
                assertThat(meters.get("hikaricp.connections").tag("pool", "mm").gauge().value()).isEqualTo(1.0);
                assertThat(meters.get("hikaricp.connections.active").tag("pool", "mm").gauge().value()).isEqualTo(1.0);
                assertThat(meters.get("hikaricp.connections.idle").tag("pool", "mm").gauge().value()).isEqualTo(0.0);
                assertThat(meters.get("hikaricp.connections.max").tag("pool", "mm").gauge().value()).isEqualTo(1.0);
                assertThat(meters.get("hikaricp.connections.min").tag("pool", "mm").gauge().value()).isEqualTo(1.0);
                assertThat(meters.get("hikaricp.connections.pending").tag("pool", "mm").gauge().value()).isEqualTo(0.0);
                assertThatThrownBy(pool::connection).isInstanceOf(PoolTimeout.class);
                assertThat(meters.get("hikaricp.connections.timeout").tag("pool", "mm").counter().count()).isEqualTo(1.0);
                assertThat(meters.get("hikaricp.connections.acquire").tag("pool", "mm").timer().count()).isGreaterThanOrEqualTo(1);
                assertThat(meters.get("hikaricp.connections.creation").tag("pool", "mm").timer().count()).isGreaterThanOrEqualTo(1);
            }
            assertThat(meters.get("hikaricp.connections.usage").tag("pool", "mm").timer().count()).isGreaterThanOrEqualTo(1);
            assertThat(meters.get("hikaricp.connections.idle").tag("pool", "mm").gauge().value()).isEqualTo(1.0);
        }
        assertThat(meters.find("hikaricp.connections").tag("pool", "mm").gauge()).as("removed with the pool").isNull();
    }

    @Test
    void aStatementIsAnObservationWithLowCardinalityKeysAndItsTextAsHighCardinality(TestDatabase db) {
        Observation parent = Observation.start("request", observations);
        try (Connection<Row> conn = Connection.connect(options(db)); Observation.Scope ignored = parent.openScope()) {
            assertThat(conn.execute("SELECT %s::int + 1", 41).fetchone().getInt(0)).isEqualTo(42);
        } finally {
            parent.stop();
        }
        TuskObservationContext c = statementContexts().stream().filter(x -> "SELECT".equals(x.operation()))
                .findFirst().orElseThrow();
        assertThat(c.getName()).isEqualTo("tusk.client.operation");
        assertThat(c.getContextualName()).isEqualTo("SELECT " + db.dbname());
        assertThat(low(c, "db.system")).isEqualTo("postgresql");
        assertThat(low(c, "db.namespace")).isEqualTo(db.dbname());
        assertThat(low(c, "db.operation")).isEqualTo("SELECT");
        assertThat(low(c, "status")).isEqualTo("success");
        assertThat(low(c, "db.response.status_code")).isEqualTo("none");
        assertThat(high(c, "db.query.text")).isEqualTo("SELECT $1::int + 1");
        assertThat(c.getParentObservation()).isSameAs(parent);
        Timer timer = meters.get("tusk.client.operation").tag("db.operation", "SELECT").tag("status", "success").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.getId().getTag("db.query.text")).as("high cardinality stays off the timer").isNull();
    }

    @Test
    void aFailedStatementIsTaggedWithItsSqlstateButNotTheServersMessage(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            assertThatThrownBy(() -> conn.execute("SELECT * FROM no_such_table")).isInstanceOf(TuskException.class);
        }
        TuskObservationContext c = statementContexts().stream().filter(TuskObservationContext::failed).findFirst().orElseThrow();
        assertThat(low(c, "status")).isEqualTo("error");
        assertThat(low(c, "db.response.status_code")).isEqualTo("42P01");
        assertThat(c.getError()).isInstanceOf(StatementFailedException.class);
        assertThat(c.getError().getMessage()).contains("42P01").doesNotContain("no_such_table");
        assertThat(meters.get("tusk.client.operation").tag("db.response.status_code", "42P01").timer().count()).isEqualTo(1);
    }

    @Test
    void aPipelineIsOneObservationParentOfItsStatements(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            try (Pipeline p = conn.pipeline()) {
                conn.execute("SELECT 1");
                conn.execute("SELECT 2");
                p.sync();
            }
        }
        List<TuskObservationContext> all = statementContexts();
        TuskObservationContext pipeline = all.stream().filter(c -> "PIPELINE".equals(c.operation())).findFirst().orElseThrow();
        assertThat(pipeline.getContextualName()).isEqualTo("PIPELINE " + db.dbname());
        List<TuskObservationContext> children = all.stream()
                .filter(c -> c.getParentObservation() != null && c.getParentObservation().getContextView() == pipeline)
                .collect(Collectors.toList());
        assertThat(children).extracting(TuskObservationContext::sql).containsExactly("SELECT 1", "SELECT 2");
    }

    @Test
    void aCopyIsAnObservationWithItsText(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db))) {
            conn.execute("CREATE TABLE c (a int)");
            try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
                copy.writeRow(1);
                copy.finish();
            }
        }
        TuskObservationContext c = statementContexts().stream().filter(x -> "COPY".equals(x.operation()))
                .filter(x -> x.sql().startsWith("COPY c")).findFirst().orElseThrow();
        assertThat(high(c, "db.query.text")).isEqualTo("COPY c FROM STDIN");
        assertThat(low(c, "status")).isEqualTo("success");
        assertThat(c.rows()).isEqualTo(1);
    }

    @Test
    void anAsyncStatementEndedOnTheEventLoopHasTheSubmittingThreadsObservationAsParent(TestDatabase db) throws Exception {
        AtomicReference<Thread> endedOn = new AtomicReference<>();
        TuskListener where = new TuskListener() {
            @Override
            public void statementEnded(StatementEnd end, Object context) {
                if (end.start().sql().contains("pg_sleep")) {
                    endedOn.set(Thread.currentThread());
                }
            }
        };
        AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .listener(listener).listener(where).build()).get();
        Observation parent = Observation.start("request", observations);
        try {
            CompletableFuture<?> done;
            try (Observation.Scope ignored = parent.openScope()) {
                done = conn.execute("SELECT pg_sleep(0.05)");
            }
            // waits on a dependent stage: a caller joining the statement's own future while nothing else is in
            // flight reads the reply on its own thread, and this test is about a statement that ends on the loop
            done.thenRun(() -> { }).get();
        } finally {
            parent.stop();
            conn.close();
        }
        assertThat(endedOn.get()).isNotNull().isNotSameAs(Thread.currentThread());
        TuskObservationContext c = statementContexts().stream().filter(x -> x.sql() != null && x.sql().contains("pg_sleep"))
                .findFirst().orElseThrow();
        assertThat(c.getParentObservation()).isSameAs(parent);
    }

    @Test
    void noParameterValueNorPasswordShowsInAnyTagOrKeyValue(TestDatabase db) {
        String secret = "zq-secret-7781";
        String password = db.scramPassword();
        ConnectOptions<Row> opts = ConnectOptions.builder().conninfo(db.conninfo(db.scramUser(), password))
                .listener(listener).build();
        try (ConnectionPool<Row> pool = ConnectionPool.builder().options(opts).name("secrets").minSize(1).maxSize(1).open(true).build();
             Connection<Row> conn = pool.connection()) {
            conn.execute("CREATE TEMP TABLE s (v text PRIMARY KEY)");
            conn.execute("INSERT INTO s VALUES (%s)", secret);
            assertThatThrownBy(() -> conn.execute("INSERT INTO s VALUES (%s)", secret)).isInstanceOf(TuskException.class);
            conn.rollback();
            assertThatThrownBy(() -> conn.execute("SELECT %s::int", secret)).isInstanceOf(TuskException.class);
            conn.rollback();
        }
        List<String> seen = new ArrayList<>();
        for (Meter m : meters.getMeters()) {
            seen.add(m.getId().getName());
            for (Tag t : m.getId().getTags()) {
                seen.add(t.getKey() + "=" + t.getValue());
            }
        }
        for (TuskObservationContext c : statementContexts()) {
            seen.add(c.getContextualName());
            c.getAllKeyValues().forEach(kv -> seen.add(kv.getKey() + "=" + kv.getValue()));
            if (c.getError() != null) {
                seen.add(c.getError().toString());
            }
        }
        assertThat(seen).contains("db.response.status_code=23505", "db.response.status_code=22P02");
        assertThat(seen.stream().filter(x -> x != null && (x.contains(secret) || x.contains(password)))
                .collect(Collectors.toList())).isEmpty();
    }
}
