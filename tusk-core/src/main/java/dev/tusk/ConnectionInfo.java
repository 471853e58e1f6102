package dev.tusk;

import dev.tusk.errors.DataException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.SessionState;
import dev.tusk.internal.io.SocketTransport;
import dev.tusk.internal.op.PipelineState;
import dev.tusk.internal.op.Session;
import dev.tusk.observe.ConnectionFacts;
import dev.tusk.types.DateTimeAdapters;

import java.net.InetAddress;
import java.nio.charset.Charset;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Details of a connection and the server's reported state: psycopg's {@code ConnectionInfo}. A live
 * view: parameter statuses the server reports later (after {@code SET TimeZone}, say) show up here.
 *
 * <pre>{@code
 * ConnectionInfo info = conn.info();
 * System.out.println(info.serverVersion() + " pid " + info.backendPid() + " tz " + info.timezone());
 * }</pre>
 */
public final class ConnectionInfo {
    private final ConnParams params;
    private final HostSpec host;
    private final SessionState session;
    private final Connection<?> conn;
    private final AsyncConnection<?> async;
    /** The connection's pipeline mode: a pipelined result not yet arrived makes the transaction status ACTIVE. */
    private final PipelineState pipeline;
    /**
     * The pool lease this view was taken from, which it answers for only while the lease lasts (null: the
     * connection's own view): a view kept after the lease ended never shows the next borrower's session.
     */
    private final ConnectionShell<?, ?, ?> lease;

    ConnectionInfo(ConnParams params, HostSpec host, SessionState session, Connection<?> conn, PipelineState pipeline) {
        this.params = params;
        this.host = host;
        this.session = session;
        this.conn = conn;
        this.async = null;
        this.pipeline = pipeline;
        this.lease = null;
    }

    ConnectionInfo(ConnParams params, HostSpec host, SessionState session, AsyncConnection<?> async,
                   PipelineState pipeline) {
        this.params = params;
        this.host = host;
        this.session = session;
        this.conn = null;
        this.async = async;
        this.pipeline = pipeline;
        this.lease = null;
    }

    /** The view of {@code of} (a pooled connection's) for {@code lease}, refused once the lease ended. */
    ConnectionInfo(ConnectionInfo of, ConnectionShell<?, ?, ?> lease) {
        this.params = of.params;
        this.host = of.host;
        this.session = of.session;
        this.conn = of.conn;
        this.async = of.async;
        this.pipeline = of.pipeline;
        this.lease = lease;
    }

    /** Refuses a view of a lease that ended (InterfaceException, as the lease's own calls). */
    private void check() {
        if (lease != null) {
            lease.look();
        }
    }

    private boolean closed() {
        return conn != null ? conn.isClosed() : async.isClosed();
    }

    /**
     * A statement is running (blocking: another thread holds the lock; async: results are awaited), or in pipeline
     * mode a statement's result has not arrived yet (psycopg: ACTIVE until the results are fetched or synced).
     */
    private boolean active() {
        return (conn != null ? conn.lock.isLocked() && !conn.lock.isHeldByCurrentThread() : async.waiter.inFlight() > 0)
                || pipeline.resultPending();
    }

    /** The connection string actually used, without the password. */
    public String dsn() {
        check();
        return params.dsn();
    }

    public ConnStatus status() {
        check();
        return closed() ? ConnStatus.BAD : ConnStatus.OK;
    }

    public TransactionStatus transactionStatus() {
        check();
        if (closed()) {
            return TransactionStatus.UNKNOWN;
        }
        if (active()) {
            return TransactionStatus.ACTIVE;
        }
        return Session.status(session.transactionStatus());
    }

    public PipelineStatus pipelineStatus() {
        check();
        return conn != null ? conn.pipelineStatus() : async.pipelineStatus();
    }

    /** The Java charset name of the session's client_encoding. */
    public String encoding() {
        check();
        String enc = session.parameter("client_encoding");
        if (enc == null || enc.equalsIgnoreCase("UTF8")) {
            return "UTF-8";
        }
        try {
            return Charset.forName(enc).name();
        } catch (RuntimeException e) {
            return enc;
        }
    }

    /**
     * The protocol version in use, as psycopg 3.3's {@code full_protocol_version}: 30002 for 3.2, 30000 for
     * 3.0. Tusk asks for 3.2 (see {@code max_protocol_version}); older servers answer 3.0.
     */
    public int fullProtocolVersion() {
        check();
        int v = session.protocolVersion();
        return (v >> 16) * 10000 + (v & 0xffff);
    }

    /** The server version as an integer: 180001 for 18.1. */
    public int serverVersion() {
        check();
        String v = session.parameter("server_version_num");
        if (v != null) {
            return Integer.parseInt(v.trim());
        }
        return parseVersion(session.parameter("server_version"));
    }

    static int parseVersion(String v) {
        if (v == null) {
            return 0;
        }
        String[] parts = v.split("[^0-9]+");
        int major = parts.length > 0 && !parts[0].isEmpty() ? Integer.parseInt(parts[0]) : 0;
        int minor = parts.length > 1 && !parts[1].isEmpty() ? Integer.parseInt(parts[1]) : 0;
        return major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100 + (parts.length > 2 ? Integer.parseInt(parts[2]) : 0);
    }

    public int backendPid() {
        check();
        return session.backendPid();
    }

    /** The first four bytes of the cancel key. */
    public int secretKey() {
        check();
        byte[] k = session.secretKey();
        return k.length < 4 ? 0 : ((k[0] & 0xff) << 24) | ((k[1] & 0xff) << 16) | ((k[2] & 0xff) << 8) | (k[3] & 0xff);
    }

    /** The whole cancel key: 4 bytes with protocol 3.0, up to 256 with 3.2. */
    public byte[] secretKeyBytes() {
        check();
        return session.secretKey();
    }

    /** The session's TimeZone; a name Java lacks maps to the offset the server reports for it. */
    public ZoneId timezone() {
        check();
        String tz = session.parameter("TimeZone");
        if (tz == null) {
            return ZoneOffset.UTC;
        }
        try {
            // trust #13: the server's reading of the name: "UTC+3" is POSIX, 3 hours WEST (UTC-03:00), where
            // ZoneId.of would read UTC+03:00; IANA names and UTC as Java reads them
            return DateTimeAdapters.zoneOf(tz);
        } catch (DataException | DateTimeException e) {
            return posixOffset(tz);
        }
    }

    /** POSIX zones such as "<+03>-03" or "UTC+2" count hours west of Greenwich: the sign is reversed. */
    private static ZoneId posixOffset(String tz) {
        Matcher m = Pattern.compile("([+-]?)(\\d{1,2})(?::(\\d{2}))?$").matcher(tz);
        if (m.find()) {
            int h = Integer.parseInt(m.group(2));
            int min = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            int sign = "-".equals(m.group(1)) ? 1 : -1;
            return ZoneOffset.ofHoursMinutes(sign * h, sign * min);
        }
        return ZoneOffset.UTC;
    }

    public String host() {
        check();
        return host.host();
    }

    /**
     * The numeric IP address of the server actually connected to (psycopg's {@code hostaddr}, libpq's
     * PQhostaddr): the {@code hostaddr} given, else the address {@code host} resolved to, e.g. "127.0.0.1" or
     * "::1". Null for a Unix-domain socket.
     */
    public String hostaddr() {
        check();
        if (host.hostaddr() != null) {
            return host.hostaddr();
        }
        if (host.isUnixSocket()) {
            return null;
        }
        InetAddress a = null;
        if (conn != null) {
            if (conn.driver().transport() instanceof SocketTransport t) {
                a = t.socket().getInetAddress(); // still the connected address after close
            }
        } else if (async.driver().channel() != null) {
            a = async.driver().channel().socket().getInetAddress();
        }
        return a == null ? null : a.getHostAddress();
    }

    /**
     * What listeners are told about this connection (server address and port, database, user, TLS, backend
     * pid...), made from this view: for the events of a pool, which has no access to the connection's listeners.
     */
    ConnectionFacts facts() {
        String address = host.isUnixSocket() ? host.socketPath().toString() : hostaddr();
        boolean tls = conn != null ? conn.driver().transport().isTls() : async.driver().isTls();
        int version;
        try {
            version = serverVersion();
        } catch (RuntimeException unknown) {
            version = 0;
        }
        return new ConnectionFacts(params.dbname(), params.user(), host.host(), address, host.port(),
                tls, version, session.backendPid(), session.parameter("application_name"));
    }

    /** The kind of server: "PostgreSQL" (psycopg's {@code vendor}; Tusk does not support CockroachDB). */
    public String vendor() {
        check();
        return "PostgreSQL";
    }

    /**
     * The message of the last error of the connection (psycopg's {@code error_message}, libpq's PQerrorMessage):
     * "" after a statement that succeeded; after one that failed, its severity and message ("ERROR:  syntax error
     * at or near ..."); once the connection is lost, why; once closed by the user, "the connection is closed".
     */
    public String errorMessage() {
        check();
        boolean broken = conn != null ? conn.isBroken() : async.isBroken();
        if (closed() && !broken) {
            return "the connection is closed";
        }
        String e = session.lastError();
        return e == null ? "" : e;
    }

    public Integer port() {
        check();
        return host.port();
    }

    public String dbname() {
        check();
        return params.dbname();
    }

    public String user() {
        check();
        return params.user();
    }

    /** The password used, as psycopg returns it (null if none). */
    public String password() {
        check();
        return params.passwordFor(host);
    }

    /** The connection parameters in use, without the password, as psycopg's get_parameters(). */
    public Map<String, String> getParameters() {
        check();
        Map<String, String> m = new LinkedHashMap<>(params.asMap());
        m.remove("password");
        return Collections.unmodifiableMap(m);
    }

    /** A parameter the server reported (server_version, TimeZone, application_name...), or null. */
    public String parameterStatus(String name) {
        check();
        return session.parameter(name);
    }

    /** Every parameter the server reported, current. */
    public Map<String, String> serverParameters() {
        check();
        return Collections.unmodifiableMap(new LinkedHashMap<>(session.parameters()));
    }
}
