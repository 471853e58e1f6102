package dev.tusk;

import dev.tusk.errors.DataException;
import dev.tusk.observe.ConnectAttempt;
import dev.tusk.observe.ConnectionClosed;
import dev.tusk.observe.PipelineEnd;
import dev.tusk.observe.PipelineStart;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TransactionEnd;
import dev.tusk.observe.TransactionOutcome;
import dev.tusk.observe.TransactionStart;
import dev.tusk.observe.TransactionStep;
import dev.tusk.observe.TuskListener;
import dev.tusk.observe.TuskListeners;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listener SPI ({@link dev.tusk.observe}) against a real server, on both drivers. */
@TuskTest
@Timeout(60)
class ListenerTest {

    /** Records every event, the thread statementStarted ran on, and the contexts handed back. */
    static final class Recorder implements TuskListener {
        final List<Object> events = new CopyOnWriteArrayList<>();
        final List<Thread> startThreads = new CopyOnWriteArrayList<>();
        final List<Object> endContexts = new CopyOnWriteArrayList<>();
        final List<Object> parents = new CopyOnWriteArrayList<>();

        @Override
        public void connectAttempt(ConnectAttempt attempt) {
            events.add(attempt);
        }

        @Override
        public void connectionClosed(ConnectionClosed event) {
            events.add(event);
        }

        @Override
        public Object statementStarted(StatementStart start, Object parent) {
            events.add(start);
            startThreads.add(Thread.currentThread());
            parents.add(parent == null ? "none" : parent);
            return "ctx:" + start.sql();
        }

        @Override
        public void statementEnded(StatementEnd end, Object context) {
            events.add(end);
            endContexts.add(context);
        }

        @Override
        public Object pipelineStarted(PipelineStart start) {
            events.add(start);
            return "pipeline-ctx";
        }

        @Override
        public void pipelineEnded(PipelineEnd end, Object context) {
            events.add(end);
            endContexts.add(context);
        }

        @Override
        public Object transactionStarted(TransactionStart start) {
            events.add(start);
            return "tx-ctx:" + (start.savepoint() == null ? "outermost" : start.savepoint());
        }

        @Override
        public void transactionEnded(TransactionEnd end, Object context) {
            events.add(end);
            endContexts.add(context);
        }

        @Override
        public void transactionStep(TransactionStep step) {
            events.add(step);
        }

        @Override
        public void notificationReceived(dev.tusk.observe.NotificationReceived event) {
            events.add(event);
        }

        @Override
        public void cancelSent(dev.tusk.observe.CancelSent event) {
            events.add(event);
        }

        <T> List<T> of(Class<T> type) {
            List<T> out = new ArrayList<>();
            for (Object e : events) {
                if (type.isInstance(e)) {
                    out.add(type.cast(e));
                }
            }
            return out;
        }
    }

    private static ConnectOptions<Row> options(TestDatabase db, TuskListener l) {
        return ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).listener(l).build();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStatementIsStartedAndEndedWithItsTextOperationRowsAndConnection(Flavour flavour, TestDatabase db) {
        Recorder r = new Recorder();
        try (Flavour.Session s = flavour.open(options(db, r))) {
            assertThat(s.one("SELECT %s::int + 1 AS n FROM generate_series(1, 3) LIMIT 1", 41).getInt(0)).isEqualTo(42);
            StatementStart start = r.of(StatementStart.class).get(0);
            assertThat(start.sql()).contains("$1").doesNotContain("41");
            assertThat(start.operation()).isEqualTo("SELECT");
            assertThat(start.batchSize()).isEqualTo(1);
            assertThat(start.pipelined()).isFalse();
            assertThat(start.own()).isFalse();
            assertThat(start.parameters()).isNull();
            assertThat(start.facts().database()).isEqualTo(db.dbname());
            assertThat(start.facts().user()).isEqualTo(db.superuser());
            assertThat(start.facts().port()).isEqualTo(db.port());
            assertThat(start.facts().backendPid()).isEqualTo(s.info().backendPid());
            assertThat(start.facts().serverVersion()).isGreaterThan(100000);
            StatementEnd end = r.of(StatementEnd.class).get(0);
            assertThat(end.start()).isSameAs(start);
            assertThat(end.failed()).isFalse();
            assertThat(end.rows()).isEqualTo(1);
            assertThat(end.durationNanos()).isPositive();
            assertThat(r.endContexts.get(0)).isEqualTo("ctx:" + start.sql());
            assertThat(r.parents.get(0)).isEqualTo("none");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aFailedStatementEndsWithItsSqlstateAndError(Flavour flavour, TestDatabase db) {
        Recorder r = new Recorder();
        try (Flavour.Session s = flavour.open(options(db, r))) {
            assertThatThrownBy(() -> s.rows("SELECT 1 / 0")).isInstanceOf(DataException.class);
            StatementEnd end = r.of(StatementEnd.class).get(0);
            assertThat(end.failed()).isTrue();
            assertThat(end.sqlstate()).isEqualTo("22012");
            assertThat(end.error()).isInstanceOf(DataException.class);
            assertThat(end.rows()).isEqualTo(-1);
            assertThat(s.one("SELECT 1").getInt(0)).isEqualTo(1);
            assertThat(r.of(StatementEnd.class)).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void eachConnectAttemptIsReportedWithItsHostOutcomeAndAuthentication(Flavour flavour, TestDatabase db) throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        Recorder r = new Recorder();
        ConnectOptions<Row> o = ConnectOptions.builder()
                .conninfo("host=127.0.0.1,127.0.0.1 port=" + closedPort + "," + db.port() + " dbname=" + db.dbname()
                        + " user=" + db.scramUser() + " password=" + db.scramPassword() + " sslmode=disable")
                .listener(r).build();
        try (Flavour.Session s = flavour.open(o)) {
            List<ConnectAttempt> attempts = r.of(ConnectAttempt.class);
            assertThat(attempts).hasSize(2);
            ConnectAttempt failed = attempts.get(0);
            assertThat(failed.succeeded()).isFalse();
            assertThat(failed.port()).isEqualTo(closedPort);
            assertThat(failed.host()).isEqualTo("127.0.0.1");
            assertThat(failed.error()).isNotNull();
            assertThat(failed.facts()).isNull();
            ConnectAttempt ok = attempts.get(1);
            assertThat(ok.succeeded()).isTrue();
            assertThat(ok.port()).isEqualTo(db.port());
            assertThat(ok.address()).isEqualTo("127.0.0.1");
            assertThat(ok.tls()).isFalse();
            assertThat(ok.authMethod()).isEqualTo("scram-sha-256");
            assertThat(ok.protocolVersion()).isIn("3.0", "3.2");
            assertThat(ok.durationNanos()).isPositive();
            assertThat(ok.facts().user()).isEqualTo(db.scramUser());
            assertThat(ok.facts().backendPid()).isEqualTo(s.info().backendPid());
        }
        long deadline = System.nanoTime() + 5_000_000_000L; // the async connection's end is told from its loop
        while (r.of(ConnectionClosed.class).isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(r.of(ConnectionClosed.class)).singleElement()
                .satisfies(c -> assertThat(c.broken()).isFalse());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aThrowingListenerNeverBreaksAStatementAndIsLoggedOnce(Flavour flavour, TestDatabase db) {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler h = capture(logged);
        Logger jul = Logger.getLogger("dev.tusk.observe");
        jul.addHandler(h);
        TuskListener bad = new TuskListener() {
            @Override
            public Object statementStarted(StatementStart start, Object parent) {
                throw new IllegalStateException("listener bug at start");
            }

            @Override
            public void statementEnded(StatementEnd end, Object context) {
                throw new IllegalStateException("listener bug at end");
            }

            @Override
            public void connectAttempt(ConnectAttempt attempt) {
                throw new IllegalStateException("listener bug at connect");
            }
        };
        Recorder after = new Recorder();
        ConnectOptions<Row> o = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .listener(bad).listener(after).build();
        try (Flavour.Session s = flavour.open(o)) {
            for (int i = 0; i < 3; i++) {
                assertThat(s.one("SELECT %s::int", i).getInt(0)).isEqualTo(i);
            }
            assertThatThrownBy(() -> s.rows("SELECT 1 / 0")).isInstanceOf(DataException.class);
        } finally {
            jul.removeHandler(h);
        }
        assertThat(after.of(StatementEnd.class)).as("the next listener still hears everything").hasSize(4);
        assertThat(logged.stream().filter(l -> l.getMessage().contains(bad.getClass().getName()))).hasSize(1);
    }

    @Test
    void anAsyncStatementStartsOnTheSubmittingThreadAndEndsOnceWhateverHappens(TestDatabase db) {
        Recorder r = new Recorder();
        AsyncConnection<Row> c = AsyncConnection.connect(options(db, r)).join();
        CompletableFuture<AsyncCursor<Row>> ok = c.execute("SELECT 1");
        CompletableFuture<AsyncCursor<Row>> bad = c.execute("SELECT 1 / 0");
        CompletableFuture<AsyncCursor<Row>> slow = c.execute("SELECT pg_sleep(30)");
        ok.join();
        assertThat(bad).failsWithin(java.time.Duration.ofSeconds(10));
        c.close(); // under the slow statement
        assertThat(slow).failsWithin(java.time.Duration.ofSeconds(10));
        CompletableFuture<AsyncCursor<Row>> refused = c.execute("SELECT 2");
        assertThat(refused).failsWithin(java.time.Duration.ofSeconds(10));
        assertThat(r.startThreads).hasSize(4).allMatch(t -> t == Thread.currentThread());
        List<StatementEnd> ends = r.of(StatementEnd.class);
        assertThat(ends).extracting(e -> e.start().sql())
                .containsExactlyInAnyOrder("SELECT 1", "SELECT 1 / 0", "SELECT pg_sleep(30)", "SELECT 2");
        assertThat(ends).filteredOn(StatementEnd::failed).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void executemanyIsOneStatementWithItsBatchSize(Flavour flavour, TestDatabase db) {
        Recorder r = new Recorder();
        ConnectOptions<Row> o = options(db, r);
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> c = Connection.connect(o)) {
                c.execute("CREATE TEMP TABLE t (a int)");
                c.cursor().executemany("INSERT INTO t VALUES (%s)", List.of(List.of(1), List.of(2), List.of(3)));
            }
        } else {
            AsyncConnection<Row> c = AsyncConnection.connect(o).join();
            try {
                c.execute("CREATE TEMP TABLE t (a int)").join();
                c.cursor().executemany("INSERT INTO t VALUES (%s)", List.of(List.of(1), List.of(2), List.of(3))).join();
            } finally {
                c.close();
            }
        }
        StatementEnd insert = r.of(StatementEnd.class).get(1);
        assertThat(insert.start().operation()).isEqualTo("INSERT");
        assertThat(insert.start().batchSize()).isEqualTo(3);
        assertThat(insert.rows()).isEqualTo(3);
    }

    @Test
    void aPipelineIsTheParentOfItsStatements(TestDatabase db) {
        Recorder r = new Recorder();
        try (Connection<Row> c = Connection.connect(options(db, r))) {
            try (Pipeline p = c.pipeline()) {
                c.execute("SELECT 1");
                c.execute("SELECT %s::int", 2);
            }
        }
        assertPipeline(r);
    }

    @Test
    void anAsyncPipelineIsTheParentOfItsStatements(TestDatabase db) {
        Recorder r = new Recorder();
        AsyncConnection<Row> c = AsyncConnection.connect(options(db, r)).join();
        try {
            AsyncPipeline p = c.pipeline();
            c.execute("SELECT 1");
            c.execute("SELECT %s::int", 2);
            p.closeAsync().join();
        } finally {
            c.close();
        }
        assertPipeline(r);
    }

    private static void assertPipeline(Recorder r) {
        assertThat(r.parents).containsExactly("pipeline-ctx", "pipeline-ctx");
        assertThat(r.of(StatementStart.class)).allMatch(StatementStart::pipelined);
        PipelineEnd end = r.of(PipelineEnd.class).get(0);
        assertThat(end.statements()).isEqualTo(2);
        assertThat(end.error()).isNull();
        List<Object> events = new ArrayList<>(r.events); // the async connection's close is told on its loop meanwhile
        int pipelineEndAt = events.indexOf(end);
        assertThat(events.subList(0, pipelineEndAt)).filteredOn(e -> e instanceof StatementEnd).hasSize(2);
        assertThat(r.endContexts).endsWith("pipeline-ctx");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aRegisteredListenerHearsTheConnectionsMadeAfterwardsOnly(Flavour flavour, TestDatabase db) {
        Recorder global = new Recorder();
        ConnectOptions<Row> plain = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
        try (Flavour.Session before = flavour.open(plain)) {
            TuskListeners.register(global);
            try (Flavour.Session after = flavour.open(plain)) {
                before.rows("SELECT 'before'");
                after.rows("SELECT 'after'");
            } finally {
                TuskListeners.unregister(global);
            }
        }
        assertThat(global.of(StatementStart.class)).extracting(StatementStart::sql).containsExactly("SELECT 'after'");
    }

    static Handler capture(List<LogRecord> into) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                into.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    private static void awaitEvent(Recorder r, Class<?> type) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (r.of(type).isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aNotificationIsReportedWithItsChannelAndSenderButNotItsPayload(Flavour flavour, TestDatabase db) {
        Recorder r = new Recorder();
        try (Flavour.Session s = flavour.open(options(db, r))) {
            s.rows("LISTEN obs_channel");
            s.rows("NOTIFY obs_channel, 'private payload'");
            s.rows("SELECT 1");
            awaitEvent(r, dev.tusk.observe.NotificationReceived.class);
            assertThat(r.of(dev.tusk.observe.NotificationReceived.class)).singleElement().satisfies(n -> {
                assertThat(n.channel()).isEqualTo("obs_channel");
                assertThat(n.senderPid()).isEqualTo(s.info().backendPid());
                assertThat(n.payloadLength()).isEqualTo("private payload".length());
                assertThat(n.toString()).doesNotContain("private payload");
            });
        }
    }

    @Test
    void aCancelRequestIsReportedOnBothDrivers(TestDatabase db) {
        Recorder r = new Recorder();
        try (Connection<Row> c = Connection.connect(options(db, r))) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                c.cancel();
            });
            t.start();
            assertThatThrownBy(() -> c.execute("SELECT pg_sleep(20)")).isInstanceOf(dev.tusk.errors.QueryCanceled.class);
            try {
                t.join(10_000); // told once the request was taken, which the statement's failure may precede
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(r.of(dev.tusk.observe.CancelSent.class)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("user");
            assertThat(e.error()).isNull();
        });
        Recorder ar = new Recorder();
        AsyncConnection<Row> a = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .statementTimeout(java.time.Duration.ofMillis(300)).listener(ar).build()).join();
        try {
            assertThat(a.execute("SELECT pg_sleep(20)")).failsWithin(java.time.Duration.ofSeconds(15));
        } finally {
            a.close();
        }
        awaitEvent(ar, dev.tusk.observe.CancelSent.class);
        assertThat(ar.of(dev.tusk.observe.CancelSent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("statement timeout"));
    }

    // ---------------------------------------------------------------- transactions (issue 25)

    /** Runs the same transaction work on the blocking or the async driver. */
    private static void inBlocks(boolean async, TestDatabase db, Recorder r) {
        if (!async) {
            try (Connection<Row> c = Connection.connect(options(db, r))) {
                c.transaction(outer -> {
                    c.execute("SELECT 1");
                    c.transaction(inner -> {
                        throw new Rollback();
                    });
                    return null;
                });
            }
            return;
        }
        AsyncConnection<Row> c = AsyncConnection.connect(options(db, r)).join();
        try {
            c.transaction(outer -> c.execute("SELECT 1")
                    .thenCompose(cur -> c.transaction(inner -> CompletableFuture.failedFuture(new Rollback())))).join();
        } finally {
            c.close();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aTransactionBlockIsStartedAndEndedWithItsOutcomeAndContextOnBothDrivers(boolean async, TestDatabase db) {
        Recorder r = new Recorder();
        inBlocks(async, db, r);
        List<TransactionStart> starts = r.of(TransactionStart.class);
        assertThat(starts).hasSize(2);
        assertThat(starts.get(0).savepoint()).isNull();
        assertThat(starts.get(0).facts().database()).isEqualTo(db.dbname());
        assertThat(starts.get(1).savepoint()).isEqualTo("_tusk_2");
        List<TransactionEnd> ends = r.of(TransactionEnd.class);
        assertThat(ends).hasSize(2);
        assertThat(ends.get(0).start()).isSameAs(starts.get(1)); // the inner block ends first
        assertThat(ends.get(0).outcome()).isEqualTo(TransactionOutcome.ROLLED_BACK);
        assertThat(ends.get(0).error()).as("a quiet Rollback is no error").isNull();
        assertThat(ends.get(1).start()).isSameAs(starts.get(0));
        assertThat(ends.get(1).outcome()).isEqualTo(TransactionOutcome.COMMITTED);
        assertThat(ends.get(1).durationNanos()).isPositive();
        assertThat(r.endContexts).contains("tx-ctx:_tusk_2", "tx-ctx:outermost");
        // the BEGIN goes after the block's start, the COMMIT before its end: the block holds its statements
        int begin = r.events.indexOf(r.of(StatementStart.class).stream().filter(s -> s.sql().equals("BEGIN")).findFirst().orElseThrow());
        assertThat(r.events.indexOf(starts.get(0))).isLessThan(begin);
        int commit = r.events.indexOf(r.of(StatementEnd.class).stream().filter(e -> e.start().sql().equals("COMMIT")).findFirst().orElseThrow());
        assertThat(r.events.indexOf(ends.get(1))).isGreaterThan(commit);
        assertThat(r.of(TransactionStep.class)).as("a block's end is its TransactionEnd, not a step").isEmpty();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aBlockLeftWithAnErrorEndsRolledBackWithThatError(boolean async, TestDatabase db) {
        Recorder r = new Recorder();
        IllegalStateException boom = new IllegalStateException("boom");
        if (!async) {
            try (Connection<Row> c = Connection.connect(options(db, r))) {
                assertThatThrownBy(() -> c.transaction(tx -> {
                    throw boom;
                })).isSameAs(boom);
            }
        } else {
            AsyncConnection<Row> c = AsyncConnection.connect(options(db, r)).join();
            try {
                assertThat(c.transaction(tx -> CompletableFuture.failedFuture(boom))).failsWithin(java.time.Duration.ofSeconds(10));
            } finally {
                c.close();
            }
        }
        assertThat(r.of(TransactionEnd.class)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(TransactionOutcome.ROLLED_BACK);
            assertThat(e.error()).isSameAs(boom);
        });
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void commitRollbackAndTwoPhaseStepsAreReportedOnBothDrivers(boolean async, TestDatabase db) {
        Recorder r = new Recorder();
        ConnectOptions<Row> o = ConnectOptions.builder().conninfo(db.conninfo()).listener(r).build(); // not autocommit
        Xid xid = new Xid(1, "listener-" + async, "b");
        if (!async) {
            try (Connection<Row> c = Connection.connect(o)) {
                c.commit(); // nothing open: nothing happens, nothing is reported
                c.execute("SELECT 1");
                c.commit();
                c.execute("SELECT 1");
                c.rollback();
                c.tpcBegin(xid);
                c.tpcPrepare();
                c.tpcCommit();
            }
        } else {
            AsyncConnection<Row> c = AsyncConnection.connect(o).join();
            try {
                c.commit().thenCompose(v -> c.execute("SELECT 1")).thenCompose(x -> c.commit())
                        .thenCompose(v -> c.execute("SELECT 1")).thenCompose(x -> c.rollback())
                        .thenCompose(v -> c.tpcBegin(xid)).thenCompose(v -> c.tpcPrepare())
                        .thenCompose(v -> c.tpcCommit()).join();
            } finally {
                c.close();
            }
        }
        List<TransactionStep> steps = r.of(TransactionStep.class);
        assertThat(steps).extracting(TransactionStep::kind).containsExactly(TransactionStep.Kind.COMMIT,
                TransactionStep.Kind.ROLLBACK, TransactionStep.Kind.PREPARE, TransactionStep.Kind.COMMIT_PREPARED);
        assertThat(steps).extracting(TransactionStep::outcome).containsExactly(TransactionOutcome.COMMITTED,
                TransactionOutcome.ROLLED_BACK, TransactionOutcome.PREPARED, TransactionOutcome.COMMITTED);
        assertThat(steps).extracting(TransactionStep::xid).containsExactly(null, null, xid.toString(), xid.toString());
        assertThat(steps).allSatisfy(s -> {
            assertThat(s.error()).isNull();
            assertThat(s.facts().database()).isEqualTo(db.dbname());
        });
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aCommitTheServerRefusesIsAFailedStepWithItsError(boolean async, TestDatabase db) {
        Recorder r = new Recorder();
        ConnectOptions<Row> o = ConnectOptions.builder().conninfo(db.conninfo()).listener(r).build();
        String setup = "CREATE TEMP TABLE d (a int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT PRESERVE ROWS";
        if (!async) {
            try (Connection<Row> c = Connection.connect(o)) {
                c.execute(setup);
                c.commit();
                c.execute("INSERT INTO d VALUES (1), (1)");
                assertThatThrownBy(c::commit).isInstanceOf(dev.tusk.errors.UniqueViolation.class);
            }
        } else {
            AsyncConnection<Row> c = AsyncConnection.connect(o).join();
            try {
                c.execute(setup).thenCompose(x -> c.commit()).join();
                assertThat(c.execute("INSERT INTO d VALUES (1), (1)").thenCompose(x -> c.commit()))
                        .failsWithin(java.time.Duration.ofSeconds(10)).withThrowableThat()
                        .havingRootCause().isInstanceOf(dev.tusk.errors.UniqueViolation.class);
            } finally {
                c.close();
            }
        }
        assertThat(r.of(TransactionStep.class)).last().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(TransactionStep.Kind.COMMIT);
            assertThat(s.outcome()).isEqualTo(TransactionOutcome.FAILED);
            assertThat(s.error()).isInstanceOf(dev.tusk.errors.UniqueViolation.class);
        });
    }

    // ---------------------------------------------------------------- COPY

    /** Records the COPY events, the thread copyStarted ran on and the contexts handed back. */
    static final class CopyRecorder implements TuskListener {
        final List<Object> events = new CopyOnWriteArrayList<>();
        final List<Thread> startThreads = new CopyOnWriteArrayList<>();
        final List<Object> endContexts = new CopyOnWriteArrayList<>();

        @Override
        public Object copyStarted(dev.tusk.observe.CopyStart start, Object parent) {
            events.add(start);
            startThreads.add(Thread.currentThread());
            return "copy-ctx:" + start.sql();
        }

        @Override
        public void copyEnded(dev.tusk.observe.CopyEnd end, Object context) {
            events.add(end);
            endContexts.add(context);
        }

        dev.tusk.observe.CopyStart start() {
            return (dev.tusk.observe.CopyStart) events.get(0);
        }

        dev.tusk.observe.CopyEnd awaitEnd() {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (events.size() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(events).hasSize(2);
            return (dev.tusk.observe.CopyEnd) events.get(1);
        }
    }

    private static void assertCopyEnded(CopyRecorder r, String sql, dev.tusk.observe.CopyStart.Direction direction,
                                        long rows, long bytes) {
        dev.tusk.observe.CopyEnd end = r.awaitEnd();
        dev.tusk.observe.CopyStart start = r.start();
        assertThat(start.sql()).isEqualTo(sql);
        assertThat(start.direction()).isEqualTo(direction);
        assertThat(start.facts().backendPid()).isPositive();
        assertThat(end.start()).isSameAs(start);
        assertThat(end.error()).isNull();
        assertThat(end.sqlstate()).isNull();
        assertThat(end.rows()).isEqualTo(rows);
        assertThat(end.bytes()).isEqualTo(bytes);
        assertThat(end.durationNanos()).isPositive();
        assertThat(r.endContexts).containsExactly("copy-ctx:" + sql);
    }

    @Test
    void aCopyIsStartedOnTheCallersThreadAndEndedOnceWithItsDirectionRowsAndBytes(TestDatabase db) {
        CopyRecorder in = new CopyRecorder();
        CopyRecorder out = new CopyRecorder();
        try (Connection<Row> c = Connection.connect(options(db, in))) {
            c.execute("CREATE TABLE copy_obs (a int, b text)");
            try (Copy copy = c.cursor().copy("COPY copy_obs FROM STDIN")) {
                copy.writeRow(1, "one");
                copy.writeRow(2, "two");
                assertThat(in.events).hasSize(1); // the end comes with the server's word
                copy.finish();
            }
            assertThat(in.startThreads).containsExactly(Thread.currentThread());
            assertCopyEnded(in, "COPY copy_obs FROM STDIN", dev.tusk.observe.CopyStart.Direction.TO_SERVER, 2,
                    "1\tone\n2\ttwo\n".length());
        }
        try (Connection<Row> c = Connection.connect(options(db, out))) {
            try (Copy copy = c.cursor().copy("COPY (SELECT 'stdin' FROM generate_series(1, 3)) TO STDOUT")) {
                assertThat(copy.rows()).hasSize(3);
            }
            assertCopyEnded(out, "COPY (SELECT 'stdin' FROM generate_series(1, 3)) TO STDOUT",
                    dev.tusk.observe.CopyStart.Direction.FROM_SERVER, 3, 3 * "stdin\n".length());
        }
    }

    @Test
    void anAsyncCopyIsStartedOnTheSubmittingThreadAndEndedOnceWithItsDirectionRowsAndBytes(TestDatabase db) {
        CopyRecorder in = new CopyRecorder();
        AsyncConnection<Row> c = AsyncConnection.connect(options(db, in)).join();
        try {
            c.execute("CREATE TABLE copy_obs (a int, b text)").join();
            AsyncCopy copy = c.cursor().copy("COPY copy_obs FROM STDIN").join();
            assertThat(in.startThreads).containsExactly(Thread.currentThread());
            copy.writeRow(1, "one");
            copy.writeRow(2, "two");
            assertThat(copy.finish().join()).isEqualTo(2);
            assertCopyEnded(in, "COPY copy_obs FROM STDIN", dev.tusk.observe.CopyStart.Direction.TO_SERVER, 2,
                    "1\tone\n2\ttwo\n".length());
        } finally {
            c.close();
        }
        CopyRecorder out = new CopyRecorder();
        AsyncConnection<Row> o = AsyncConnection.connect(options(db, out)).join();
        try {
            AsyncCopy copy = o.cursor().copy("COPY (SELECT 'x' FROM generate_series(1, 3)) TO STDOUT").join();
            assertThat(copy.finish().join()).isEqualTo(3);
            assertCopyEnded(out, "COPY (SELECT 'x' FROM generate_series(1, 3)) TO STDOUT",
                    dev.tusk.observe.CopyStart.Direction.FROM_SERVER, 3, 3 * "x\n".length());
        } finally {
            o.close();
        }
    }

    @Test
    void aCopyThatFailsEndsWithItsSqlstateOnBothDrivers(TestDatabase db) {
        CopyRecorder r = new CopyRecorder();
        try (Connection<Row> c = Connection.connect(options(db, r))) {
            c.execute("CREATE TABLE copy_obs (a int)");
            Copy copy = c.cursor().copy("COPY copy_obs FROM STDIN");
            copy.write("not-a-number\n");
            assertThatThrownBy(copy::finish).isInstanceOf(DataException.class);
        }
        dev.tusk.observe.CopyEnd end = r.awaitEnd();
        assertThat(end.sqlstate()).isEqualTo("22P02");
        assertThat(end.error()).isInstanceOf(DataException.class);
        assertThat(end.rows()).isEqualTo(-1);

        CopyRecorder ar = new CopyRecorder();
        AsyncConnection<Row> a = AsyncConnection.connect(options(db, ar)).join();
        try {
            assertThat(a.cursor().copy("COPY nowhere FROM STDIN")).failsWithin(java.time.Duration.ofSeconds(10));
            dev.tusk.observe.CopyEnd failed = ar.awaitEnd();
            assertThat(failed.sqlstate()).isEqualTo("42P01");
            assertThat(failed.start().direction()).isEqualTo(dev.tusk.observe.CopyStart.Direction.TO_SERVER);
        } finally {
            a.close();
        }
    }
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStatementEndsWithTheBytesOfTheValuesItReceived(Flavour flavour, TestDatabase db) {
        Recorder r = new Recorder();
        try (Flavour.Session s = flavour.open(options(db, r))) {
            assertThat(s.rows("SELECT repeat('x', 100), NULL::text UNION ALL SELECT repeat('y', 50), 'ab'")).hasSize(2);
        }
        StatementEnd end = r.of(StatementEnd.class).stream().filter(e -> e.start().sql().contains("repeat"))
                .findFirst().orElseThrow();
        assertThat(end.rows()).isEqualTo(2);
        assertThat(end.bytes()).as("100 + 50 + 2 bytes of text values, and the 4-byte length of each of the four")
                .isEqualTo(152 + 4 * 4);
    }
}
