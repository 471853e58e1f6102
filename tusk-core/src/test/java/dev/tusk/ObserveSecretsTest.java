package dev.tusk;

import dev.tusk.observe.ConnectAttempt;
import dev.tusk.observe.ConnectionClosed;
import dev.tusk.observe.PipelineEnd;
import dev.tusk.observe.PipelineStart;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TuskListener;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No parameter value and no password in any listener event field or any log line at any level, unless
 * {@code observeParameters} is on; and the statement log (DEBUG, slow statements at WARNING).
 */
@TuskTest
@Timeout(60)
class ObserveSecretsTest {
    private static final String SECRET = "s3cr3t-param-value-7731";

    /** Every event as text: each record's every field (toString), errors with their whole stack and causes. */
    static final class Everything implements TuskListener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<Object> events = new CopyOnWriteArrayList<>();

        <T> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }

        void add(Object e) {
            events.add(e);
            seen.add(String.valueOf(e));
            for (var c : e.getClass().getRecordComponents() == null ? new java.lang.reflect.RecordComponent[0]
                    : e.getClass().getRecordComponents()) {
                try {
                    Object v = c.getAccessor().invoke(e);
                    if (v instanceof Throwable t) {
                        StringWriter w = new StringWriter();
                        t.printStackTrace(new PrintWriter(w));
                        seen.add(w.toString());
                    }
                } catch (ReflectiveOperationException ex) {
                    throw new AssertionError(ex);
                }
            }
        }

        @Override
        public void connectAttempt(ConnectAttempt a) {
            add(a);
        }

        @Override
        public void connectionClosed(ConnectionClosed e) {
            add(e);
        }

        @Override
        public Object statementStarted(StatementStart s, Object parent) {
            add(s);
            return null;
        }

        @Override
        public void statementEnded(StatementEnd e, Object context) {
            add(e);
        }

        @Override
        public Object pipelineStarted(PipelineStart s) {
            add(s);
            return null;
        }

        @Override
        public void pipelineEnded(PipelineEnd e, Object context) {
            add(e);
        }
    }

    private static String text(LogRecord r) {
        StringBuilder sb = new StringBuilder(r.getLoggerName()).append(' ').append(r.getLevel()).append(' ')
                .append(r.getMessage());
        if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
                sb.append(' ').append(p);
            }
        }
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            sb.append(w);
        }
        return sb.toString();
    }

    private void run(Flavour flavour, TestDatabase db, boolean observeParameters, Everything events, List<LogRecord> logs)
            throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        Logger root = Logger.getLogger("dev.tusk");
        Level before = root.getLevel();
        var h = ListenerTest.capture(logs);
        h.setLevel(Level.ALL);
        root.setLevel(Level.ALL);
        root.addHandler(h);
        try {
            ConnectOptions<Row> o = ConnectOptions.builder()
                    .conninfo("host=127.0.0.1,127.0.0.1 port=" + closedPort + "," + db.port() + " dbname=" + db.dbname()
                            + " sslmode=disable")
                    .user(db.scramUser()).password(db.scramPassword())
                    .autocommit(true).listener(events).observeParameters(observeParameters)
                    .slowStatementThreshold(Duration.ZERO).build();
            try (Flavour.Session s = flavour.open(o)) {
                assertThat(s.one("SELECT length(%s)", SECRET).getInt(0)).isEqualTo(SECRET.length());
                assertThat(s.rows("SELECT %s = 'x' AS same", SECRET)).hasSize(1);
            }
        } finally {
            root.removeHandler(h);
            root.setLevel(before);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void noParameterValueOrPasswordInAnyEventOrLogLine(Flavour flavour, TestDatabase db) throws Exception {
        Everything events = new Everything();
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        run(flavour, db, false, events, logs);
        assertThat(events.of(StatementEnd.class)).hasSize(2);
        assertThat(events.seen).isNotEmpty().noneMatch(t -> t.contains(SECRET)).noneMatch(t -> t.contains(db.scramPassword()));
        List<String> lines = logs.stream().map(ObserveSecretsTest::text).toList();
        assertThat(lines).as("the statement log wrote its lines").anyMatch(l -> l.contains("dev.tusk.statement")
                && l.contains("SELECT length($1)") && l.contains(" ms"));
        assertThat(lines).noneMatch(t -> t.contains(SECRET)).noneMatch(t -> t.contains(db.scramPassword()));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void parameterValuesAppearOnlyWhenObserveParametersIsOn(Flavour flavour, TestDatabase db) throws Exception {
        Everything events = new Everything();
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        run(flavour, db, true, events, logs);
        assertThat(String.valueOf(events.of(StatementStart.class).get(0).parameters())).isEqualTo("[" + SECRET + "]");
        assertThat(logs.stream().map(ObserveSecretsTest::text)).anyMatch(t -> t.contains(SECRET));
        assertThat(events.seen).noneMatch(t -> t.contains(db.scramPassword()));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void slowStatementsAreLoggedAtWarningAndOthersNotWithoutDebug(Flavour flavour, TestDatabase db) {
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.tusk.statement");
        var h = ListenerTest.capture(logs);
        h.setLevel(Level.ALL);
        jul.addHandler(h);
        try (Flavour.Session s = flavour.open(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .slowStatementThreshold(Duration.ofMillis(200)).build())) {
            s.rows("SELECT 1");
            s.rows("SELECT pg_sleep(0.3)");
        } finally {
            jul.removeHandler(h);
        }
        assertThat(logs).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).startsWith("slow statement: ").contains("SELECT pg_sleep(0.3)").contains(" ms");
        });
    }
}
