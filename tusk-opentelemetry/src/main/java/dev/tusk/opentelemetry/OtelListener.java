package dev.tusk.opentelemetry;

import dev.tusk.errors.TuskException;
import dev.tusk.observe.ConnectAttempt;
import dev.tusk.observe.ConnectionFacts;
import dev.tusk.observe.CopyEnd;
import dev.tusk.observe.CopyStart;
import dev.tusk.observe.LeaseEvent;
import dev.tusk.observe.PipelineEnd;
import dev.tusk.observe.PipelineStart;
import dev.tusk.observe.PoolConnectionEvent;
import dev.tusk.observe.PoolView;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TransactionEnd;
import dev.tusk.observe.TransactionOutcome;
import dev.tusk.observe.TransactionStart;
import dev.tusk.observe.TransactionStep;
import dev.tusk.observe.TuskListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The listener behind {@link TuskTelemetry}. */
final class OtelListener implements TuskListener {
    static final String SCOPE = "dev.tusk.opentelemetry";
    static final String SYSTEM = "postgresql";

    static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
    static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
    static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<Long> DB_OPERATION_BATCH_SIZE = AttributeKey.longKey("db.operation.batch.size");
    static final AttributeKey<String> DB_RESPONSE_STATUS_CODE = AttributeKey.stringKey("db.response.status_code");
    static final AttributeKey<Long> DB_RESPONSE_RETURNED_ROWS = AttributeKey.longKey("db.response.returned_rows");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> NETWORK_PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> POOL_NAME = AttributeKey.stringKey("db.client.connection.pool.name");
    static final AttributeKey<String> CONNECTION_STATE = AttributeKey.stringKey("db.client.connection.state");
    static final AttributeKey<Long> TUSK_ROWS_AFFECTED = AttributeKey.longKey("tusk.rows_affected");
    static final AttributeKey<Long> TUSK_COPY_BYTES = AttributeKey.longKey("tusk.copy.bytes");
    static final AttributeKey<Long> TUSK_RESPONSE_BYTES = AttributeKey.longKey("tusk.response.bytes");
    static final AttributeKey<String> TUSK_COPY_DIRECTION = AttributeKey.stringKey("tusk.copy.direction");
    static final AttributeKey<Boolean> TUSK_TLS = AttributeKey.booleanKey("tusk.tls");
    static final AttributeKey<String> TUSK_AUTH_METHOD = AttributeKey.stringKey("tusk.auth_method");
    static final AttributeKey<String> TUSK_TX_OUTCOME = AttributeKey.stringKey("tusk.transaction.outcome");
    static final AttributeKey<String> TUSK_TX_SAVEPOINT = AttributeKey.stringKey("tusk.transaction.savepoint");
    static final AttributeKey<String> TUSK_TX_STEP = AttributeKey.stringKey("tusk.transaction.step");
    static final AttributeKey<String> TUSK_TX_XID = AttributeKey.stringKey("tusk.transaction.xid");

    /** The conventions' advice for db.client.operation.duration (seconds). */
    static final List<Double> DURATION_BUCKETS = List.of(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0);

    private final Tracer tracer;
    private final boolean captureQueryText;
    private final boolean captureParameters;
    private final DoubleHistogram operationDuration;
    private final DoubleHistogram createTime;
    private final DoubleHistogram waitTime;
    private final DoubleHistogram useTime;
    private final LongCounter timeouts;
    private final Set<PoolView> pools = ConcurrentHashMap.newKeySet();
    /** The open transaction blocks of each connection, innermost first. */
    private final Map<ConnectionFacts, Deque<Ctx>> transactions = new ConcurrentHashMap<>();

    private final boolean propagateTraceparent;

    OtelListener(OpenTelemetry otel, boolean captureQueryText, boolean captureParameters) {
        this(otel, captureQueryText, captureParameters, false);
    }

    OtelListener(OpenTelemetry otel, boolean captureQueryText, boolean captureParameters, boolean propagateTraceparent) {
        this.propagateTraceparent = propagateTraceparent;
        this.tracer = otel.getTracer(SCOPE);
        this.captureQueryText = captureQueryText;
        this.captureParameters = captureParameters;
        Meter meter = otel.getMeter(SCOPE);
        this.operationDuration = meter.histogramBuilder("db.client.operation.duration").setUnit("s")
                .setDescription("Duration of database client operations.")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        this.createTime = meter.histogramBuilder("db.client.connection.create_time").setUnit("s")
                .setDescription("The time it took to create a new connection.").build();
        this.waitTime = meter.histogramBuilder("db.client.connection.wait_time").setUnit("s")
                .setDescription("The time it took to obtain an open connection from the pool.").build();
        this.useTime = meter.histogramBuilder("db.client.connection.use_time").setUnit("s")
                .setDescription("The time between borrowing a connection and returning it to the pool.").build();
        this.timeouts = meter.counterBuilder("db.client.connection.timeouts").setUnit("{timeout}")
                .setDescription("The number of connection timeouts that have occurred trying to obtain a connection "
                        + "from the pool.").build();
        meter.upDownCounterBuilder("db.client.connection.count").setUnit("{connection}")
                .setDescription("The number of connections that are currently in state described by the state attribute.")
                .buildWithCallback(m -> {
                    for (PoolView p : pools) {
                        m.record(p.idle(), poolAttributes(p).put(CONNECTION_STATE, "idle").build());
                        m.record(p.inUse(), poolAttributes(p).put(CONNECTION_STATE, "used").build());
                    }
                });
        meter.upDownCounterBuilder("db.client.connection.max").setUnit("{connection}")
                .setDescription("The maximum number of open connections allowed.")
                .buildWithCallback(m -> pools.forEach(p -> m.record(p.maxSize(), poolAttributes(p).build())));
        meter.upDownCounterBuilder("db.client.connection.idle.min").setUnit("{connection}")
                .setDescription("The minimum number of idle open connections allowed.")
                .buildWithCallback(m -> pools.forEach(p -> m.record(p.minSize(), poolAttributes(p).build())));
        meter.upDownCounterBuilder("db.client.connection.pending_requests").setUnit("{request}")
                .setDescription("The number of current pending requests for an open connection.")
                .buildWithCallback(m -> pools.forEach(p -> m.record(p.waiting(), poolAttributes(p).build())));
    }

    /** This listener's context for a statement, pipeline, COPY or transaction block. */
    static final class Ctx {
        final Span span;
        final Context context;
        /** For a transaction block: the thread's span when it began, to tell whether a statement is inside it. */
        final Span parentSpan;

        Ctx(Span span, Context parent, Span parentSpan) {
            this.span = span;
            this.context = parent.with(span);
            this.parentSpan = parentSpan;
        }
    }

    // ---------------------------------------------------------------- statements

    @Override
    public Object statementStarted(StatementStart start, Object parent) {
        ConnectionFacts f = start.facts();
        String operation = start.operation();
        SpanBuilder b = spanBuilder(spanName(operation, f), f, parentContext(f, parent));
        if (operation != null && !operation.isEmpty()) {
            b.setAttribute(DB_OPERATION_NAME, operation);
        }
        if (captureQueryText && start.sql() != null) {
            b.setAttribute(DB_QUERY_TEXT, start.sql());
        }
        if (start.batchSize() > 1) {
            b.setAttribute(DB_OPERATION_BATCH_SIZE, (long) start.batchSize());
        }
        if (captureParameters && start.parameters() != null) {
            List<?> params = start.parameters();
            for (int i = 0; i < params.size(); i++) {
                b.setAttribute(AttributeKey.stringKey("db.query.parameter." + i), String.valueOf(params.get(i)));
            }
        }
        Span span = b.startSpan();
        return new Ctx(span, Context.root(), null);
    }

    /**
     * The statement span's W3C trace context as a sqlcommenter {@code traceparent} (when turned on and the span is
     * valid): {@code traceparent='00-<trace id>-<span id>-<flags>'}.
     */
    @Override
    public String statementComment(StatementStart start, Object context) {
        if (!propagateTraceparent || !(context instanceof Ctx)) {
            return null;
        }
        SpanContext sc = ((Ctx) context).span.getSpanContext();
        if (!sc.isValid()) {
            return null;
        }
        return "traceparent='00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex() + "'";
    }

    @Override
    public void statementEnded(StatementEnd end, Object context) {
        StatementStart start = end.start();
        if (context instanceof Ctx) {
            Span span = ((Ctx) context).span;
            if (end.rows() >= 0) {
                span.setAttribute(returnsRows(start.operation()) ? DB_RESPONSE_RETURNED_ROWS : TUSK_ROWS_AFFECTED,
                        end.rows());
            }
            if (end.bytes() > 0) {
                span.setAttribute(TUSK_RESPONSE_BYTES, end.bytes());
            }
            endSpan(span, end.sqlstate(), end.error());
        }
        recordDuration(start.facts(), start.operation(), end.durationNanos(), end.sqlstate(), end.error());
    }

    // ---------------------------------------------------------------- pipelines and COPY

    @Override
    public Object pipelineStarted(PipelineStart start) {
        ConnectionFacts f = start.facts();
        Span span = spanBuilder(spanName("PIPELINE", f), f, parentContext(f, null))
                .setAttribute(DB_OPERATION_NAME, "PIPELINE").startSpan();
        return new Ctx(span, Context.root(), null);
    }

    @Override
    public void pipelineEnded(PipelineEnd end, Object context) {
        if (context instanceof Ctx) {
            Span span = ((Ctx) context).span;
            span.setAttribute(DB_OPERATION_BATCH_SIZE, (long) end.statements());
            endSpan(span, sqlstateOf(end.error()), end.error());
        }
    }

    @Override
    public Object copyStarted(CopyStart start, Object parent) {
        ConnectionFacts f = start.facts();
        SpanBuilder b = spanBuilder(spanName("COPY", f), f, parentContext(f, parent))
                .setAttribute(DB_OPERATION_NAME, "COPY")
                .setAttribute(TUSK_COPY_DIRECTION, start.direction() == CopyStart.Direction.TO_SERVER ? "to_server" : "from_server");
        if (captureQueryText && start.sql() != null) {
            b.setAttribute(DB_QUERY_TEXT, start.sql());
        }
        return new Ctx(b.startSpan(), Context.root(), null);
    }

    @Override
    public void copyEnded(CopyEnd end, Object context) {
        if (context instanceof Ctx) {
            Span span = ((Ctx) context).span;
            if (end.rows() >= 0) {
                span.setAttribute(end.start().direction() == CopyStart.Direction.FROM_SERVER
                        ? DB_RESPONSE_RETURNED_ROWS : TUSK_ROWS_AFFECTED, end.rows());
            }
            span.setAttribute(TUSK_COPY_BYTES, end.bytes());
            endSpan(span, end.sqlstate(), end.error());
        }
        recordDuration(end.start().facts(), "COPY", end.durationNanos(), end.sqlstate(), end.error());
    }

    // ---------------------------------------------------------------- transactions

    @Override
    public Object transactionStarted(TransactionStart start) {
        ConnectionFacts f = start.facts();
        Context parent = parentContext(f, null);
        SpanBuilder b = spanBuilder(spanName("TRANSACTION", f), f, parent);
        if (start.savepoint() != null) {
            b.setAttribute(TUSK_TX_SAVEPOINT, start.savepoint());
        }
        Ctx ctx = new Ctx(b.startSpan(), parent, Span.current());
        Deque<Ctx> open = transactions.computeIfAbsent(f, k -> new ArrayDeque<>());
        synchronized (open) {
            open.push(ctx);
        }
        return ctx;
    }

    @Override
    public void transactionEnded(TransactionEnd end, Object context) {
        ConnectionFacts f = end.start().facts();
        Deque<Ctx> open = transactions.get(f);
        if (open != null) {
            synchronized (open) {
                open.remove(context);
                if (open.isEmpty()) {
                    transactions.remove(f, open);
                }
            }
        }
        if (context instanceof Ctx) {
            Span span = ((Ctx) context).span;
            span.setAttribute(TUSK_TX_OUTCOME, outcomeName(end.outcome()));
            boolean failed = end.outcome() == TransactionOutcome.FAILED || end.outcome() == TransactionOutcome.UNKNOWN;
            if (failed || end.error() != null) {
                String sqlstate = sqlstateOf(end.error());
                if (sqlstate != null) {
                    span.setAttribute(DB_RESPONSE_STATUS_CODE, sqlstate);
                }
                span.setAttribute(ERROR_TYPE, sqlstate != null ? sqlstate
                        : end.error() != null ? end.error().getClass().getName() : outcomeName(end.outcome()));
                span.setStatus(StatusCode.ERROR, "transaction " + outcomeName(end.outcome()));
            }
            span.end();
        }
    }

    @Override
    public void transactionStep(TransactionStep step) {
        Deque<Ctx> open = transactions.get(step.facts());
        Ctx innermost = null;
        if (open != null) {
            synchronized (open) {
                innermost = open.peekFirst();
            }
        }
        if (innermost == null) {
            return;
        }
        AttributesBuilder a = Attributes.builder().put(TUSK_TX_STEP, step.kind().name())
                .put(TUSK_TX_OUTCOME, outcomeName(step.outcome()));
        if (step.xid() != null) {
            a.put(TUSK_TX_XID, step.xid());
        }
        String sqlstate = sqlstateOf(step.error());
        if (sqlstate != null) {
            a.put(DB_RESPONSE_STATUS_CODE, sqlstate);
        }
        innermost.span.addEvent("tusk.transaction.step", a.build());
    }

    // ---------------------------------------------------------------- connections

    @Override
    public void connectAttempt(ConnectAttempt attempt) {
        long now = System.currentTimeMillis() * 1_000_000L;
        SpanBuilder b = tracer.spanBuilder(attempt.host() == null ? "CONNECT" : "CONNECT " + attempt.host())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.current())
                .setStartTimestamp(now - attempt.durationNanos(), TimeUnit.NANOSECONDS)
                .setAttribute(DB_SYSTEM_NAME, SYSTEM)
                .setAttribute(DB_OPERATION_NAME, "CONNECT")
                .setAttribute(SERVER_PORT, (long) attempt.port())
                .setAttribute(TUSK_TLS, attempt.tls());
        if (attempt.host() != null) {
            b.setAttribute(SERVER_ADDRESS, attempt.host());
        }
        if (attempt.address() != null) {
            b.setAttribute(NETWORK_PEER_ADDRESS, attempt.address());
        }
        if (attempt.authMethod() != null) {
            b.setAttribute(TUSK_AUTH_METHOD, attempt.authMethod());
        }
        if (attempt.facts() != null && attempt.facts().database() != null) {
            b.setAttribute(DB_NAMESPACE, attempt.facts().database());
        }
        Span span = b.startSpan();
        if (!attempt.succeeded()) {
            String sqlstate = sqlstateOf(attempt.error());
            if (sqlstate != null) {
                span.setAttribute(DB_RESPONSE_STATUS_CODE, sqlstate);
            }
            span.setAttribute(ERROR_TYPE, sqlstate != null ? sqlstate : attempt.error().getClass().getName());
            span.setStatus(StatusCode.ERROR, attempt.error().getClass().getSimpleName());
        }
        span.end(now, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- pools

    @Override
    public void poolOpened(PoolView pool) {
        pools.add(pool);
    }

    @Override
    public void poolClosed(PoolView pool) {
        pools.remove(pool);
    }

    @Override
    public void leaseAcquired(LeaseEvent event) {
        waitTime.record(seconds(event.nanos()), poolAttributes(event.pool()).build());
    }

    @Override
    public void leaseReturned(LeaseEvent event) {
        useTime.record(seconds(event.nanos()), poolAttributes(event.pool()).build());
    }

    @Override
    public void leaseTimedOut(LeaseEvent event) {
        timeouts.add(1, poolAttributes(event.pool()).build());
    }

    @Override
    public void poolConnectionCreated(PoolConnectionEvent event) {
        if (event.error() == null) {
            // the pool's name (the conventions' one required attribute) and, beside it, which server the
            // connection went to: a pool over several hosts shows the time to each
            AttributesBuilder a = poolAttributes(event.pool());
            ConnectionFacts f = event.facts();
            if (f != null) {
                if (f.host() != null) {
                    a.put(SERVER_ADDRESS, f.host());
                }
                a.put(SERVER_PORT, (long) f.port());
                if (f.database() != null) {
                    a.put(DB_NAMESPACE, f.database());
                }
            }
            createTime.record(seconds(event.nanos()), a.build());
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The parent of a span: the pipeline's (or another container's) context when there is one; else the innermost
     * transaction block open on the connection, when the thread's current span is still the one it began under
     * or the thread has none; else the thread's current context.
     */
    private Context parentContext(ConnectionFacts f, Object parent) {
        if (parent instanceof Ctx) {
            return ((Ctx) parent).context;
        }
        Context current = Context.current();
        if (!transactions.isEmpty()) {
            Deque<Ctx> open = transactions.get(f);
            if (open != null) {
                Ctx innermost;
                synchronized (open) {
                    innermost = open.peekFirst();
                }
                // inside it: the thread's span is the one the block began under, or there is none (an async
                // transaction's body runs its statements from callbacks on the event loop)
                SpanContext now = Span.fromContext(current).getSpanContext();
                if (innermost != null && (!now.isValid() || innermost.parentSpan.getSpanContext().equals(now))) {
                    return innermost.context;
                }
            }
        }
        return current;
    }

    private SpanBuilder spanBuilder(String name, ConnectionFacts f, Context parent) {
        SpanBuilder b = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(parent)
                .setAttribute(DB_SYSTEM_NAME, SYSTEM);
        if (f != null) {
            if (f.database() != null) {
                b.setAttribute(DB_NAMESPACE, f.database());
            }
            if (f.host() != null) {
                b.setAttribute(SERVER_ADDRESS, f.host());
            }
            b.setAttribute(SERVER_PORT, (long) f.port());
            if (f.address() != null) {
                b.setAttribute(NETWORK_PEER_ADDRESS, f.address());
            }
        }
        return b;
    }

    /** {@code "{db.operation.name} {target}"}, the target being db.namespace, else server.address:server.port. */
    static String spanName(String operation, ConnectionFacts f) {
        String target = f == null ? null
                : f.database() != null ? f.database()
                : f.host() != null ? f.host() + ":" + f.port() : null;
        boolean hasOperation = operation != null && !operation.isEmpty();
        if (hasOperation) {
            return target == null ? operation : operation + " " + target;
        }
        return target == null ? SYSTEM : target;
    }

    private static void endSpan(Span span, String sqlstate, Throwable error) {
        if (error != null || sqlstate != null) {
            if (sqlstate == null) {
                sqlstate = sqlstateOf(error);
            }
            if (sqlstate != null) {
                span.setAttribute(DB_RESPONSE_STATUS_CODE, sqlstate);
            }
            // never the message: the server's messages can quote parameter values
            String type = sqlstate != null ? sqlstate : error.getClass().getName();
            span.setAttribute(ERROR_TYPE, type);
            span.setStatus(StatusCode.ERROR, error == null ? "SQLSTATE " + sqlstate
                    : error.getClass().getSimpleName() + (sqlstate == null ? "" : " (SQLSTATE " + sqlstate + ")"));
        }
        span.end();
    }

    private void recordDuration(ConnectionFacts f, String operation, long nanos, String sqlstate, Throwable error) {
        AttributesBuilder a = Attributes.builder().put(DB_SYSTEM_NAME, SYSTEM);
        if (f != null) {
            if (f.database() != null) {
                a.put(DB_NAMESPACE, f.database());
            }
            if (f.host() != null) {
                a.put(SERVER_ADDRESS, f.host());
            }
            a.put(SERVER_PORT, (long) f.port());
        }
        if (operation != null && !operation.isEmpty()) {
            a.put(DB_OPERATION_NAME, operation);
        }
        if (error != null || sqlstate != null) {
            if (sqlstate == null) {
                sqlstate = sqlstateOf(error);
            }
            if (sqlstate != null) {
                a.put(DB_RESPONSE_STATUS_CODE, sqlstate);
            }
            a.put(ERROR_TYPE, sqlstate != null ? sqlstate : error.getClass().getName());
        }
        operationDuration.record(seconds(nanos), a.build());
    }

    private static AttributesBuilder poolAttributes(PoolView p) {
        String name = p.name();
        return Attributes.builder().put(POOL_NAME, name == null ? "tusk" : name);
    }

    /** The SQLSTATE of a Tusk error (or of its cause), or null. */
    static String sqlstateOf(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TuskException) {
                String s = ((TuskException) t).sqlstate();
                if (s != null) {
                    return s;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static boolean returnsRows(String operation) {
        switch (operation == null ? "" : operation) {
            case "SELECT": case "WITH": case "VALUES": case "TABLE": case "SHOW": case "FETCH": case "EXPLAIN":
                return true;
            default:
                return false;
        }
    }

    private static String outcomeName(TransactionOutcome outcome) {
        return outcome == null ? "unknown" : outcome.name().toLowerCase(Locale.ROOT);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
