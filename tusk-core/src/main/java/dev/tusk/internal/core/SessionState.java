package dev.tusk.internal.core;

import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.wire.BackendMessage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What the server has told us about the session: parameter statuses, transaction status, the cancel key.
 * Written by the protocol core; read from any thread (ConnectionInfo), hence the volatile fields.
 */
public final class SessionState {
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    private volatile char transactionStatus = BackendMessage.STATUS_IDLE;
    private volatile int backendPid;
    private volatile byte[] secretKey = new byte[0];
    private volatile int protocolVersion;
    private volatile Consumer<Diagnostic> noticeSink = d -> { };
    private volatile NotificationSink notifySink = (channel, payload, pid) -> { };
    private volatile ColumnFactory columnFactory = ColumnFactory.PLAIN;
    private volatile Consumer<String> parameterListener = name -> { };
    private volatile String timeZoneName;
    /** Whether the {@code DateStyle} parameter starts with ISO, kept as it is reported (read per statement). */
    private volatile boolean isoDateStyle;

    public Map<String, String> parameters() {
        return parameters;
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    /** The {@code TimeZone} parameter, read without a map lookup (loaders ask for it per value). */
    public String timeZoneName() {
        return timeZoneName;
    }

    /**
     * Whether the session's {@code DateStyle} is ISO (its value starts with "ISO"), the only one the text loaders of
     * dates and times read; false until the server reported it. Read without a map lookup: it is asked per statement.
     */
    public boolean isoDateStyle() {
        return isoDateStyle;
    }

    void parameterStatus(String name, String value) {
        if (name.equals("TimeZone")) {
            timeZoneName = value;
        } else if (name.equals("DateStyle")) {
            isoDateStyle = value != null && value.startsWith("ISO");
        }
        parameters.put(name, value);
        parameterListener.accept(name);
    }

    /**
     * The last ReadyForQuery's status byte: {@link BackendMessage#STATUS_IDLE 'I'} idle,
     * {@link BackendMessage#STATUS_IN_TRANSACTION 'T'} in a transaction,
     * {@link BackendMessage#STATUS_IN_FAILED_TRANSACTION 'E'} in a failed transaction.
     * {@code dev.tusk.internal.op.Session.status} gives its public form.
     */
    public char transactionStatus() {
        return transactionStatus;
    }

    void transactionStatus(char status) {
        this.transactionStatus = status;
    }

    /** The last error of the session, as libpq's PQerrorMessage (psycopg's {@code info.error_message}); null: none. */
    private volatile String lastError;

    /**
     * The message of the last operation that failed ("ERROR:  ..." with the severity, as libpq writes it), or
     * null when the last statement sent succeeded (libpq clears it as each query starts).
     */
    public String lastError() {
        return lastError;
    }

    /** Records {@code e} as the session's last error. */
    void failed(TuskException e) {
        if (e != null) {
            Diagnostic d = e.diag();
            String severity = d == null ? null : d.severity();
            lastError = (severity == null ? "" : severity + ":  ") + e.getMessage();
        }
    }

    /** A new statement starts: the last error is forgotten. */
    void clearLastError() {
        if (lastError != null) {
            lastError = null;
        }
    }

    public int backendPid() {
        return backendPid;
    }

    public byte[] secretKey() {
        return secretKey.clone();
    }

    void backendKey(int pid, byte[] key) {
        this.backendPid = pid;
        this.secretKey = key;
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    public void protocolVersion(int v) {
        this.protocolVersion = v;
    }

    public void noticeSink(Consumer<Diagnostic> sink) {
        this.noticeSink = sink;
    }

    void notice(Diagnostic d) {
        try {
            noticeSink.accept(d);
        } catch (Error e) {
            threwIn = "a notice handler";
            throw e;
        }
    }

    /** Which user code threw an Error while replies were dispatched ("a notice handler"...), or null; see below. */
    private volatile String threwIn;

    /**
     * Which handler, run by {@link #notice} or {@link #notification}, threw the Error now leaving the dispatch, or null
     * (other user code: a type loader); forgotten once asked.
     */
    String takeThrewIn() {
        String t = threwIn;
        threwIn = null;
        return t;
    }

    /**
     * Where the session's notifications (NotificationResponse) go, as their parts: the public {@code Notify} is
     * made by the connection that receives them, so the core needs nothing of {@code dev.tusk}.
     */
    @FunctionalInterface
    public interface NotificationSink {
        void notification(String channel, String payload, int pid);
    }

    public void notifySink(NotificationSink sink) {
        this.notifySink = sink;
    }

    void notification(String channel, String payload, int pid) {
        try {
            notifySink.notification(channel, payload, pid);
        } catch (Error e) {
            threwIn = "a notify handler";
            throw e;
        }
    }

    /** What the session's result columns are made by: the connection's factory, once it handed one. */
    public ColumnFactory columnFactory() {
        return columnFactory;
    }

    /** Makes the result columns with {@code factory} from now on (see {@link ColumnFactory}). */
    public void columnFactory(ColumnFactory factory) {
        this.columnFactory = factory;
    }

    public void parameterListener(Consumer<String> listener) {
        this.parameterListener = listener;
    }
}
