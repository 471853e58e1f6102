package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.Startup;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;

import java.net.InetAddress;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One try of a {@link ConnectPlan} on one address, with one TLS choice and one protocol version: the exchange
 * from the open socket to a session that is ready (or refused), written without I/O. The driver opens the
 * socket to {@link #host()} ({@link #resolved()} when the plan knows the address), then asks {@link #opened()}
 * what to do and does it its way, feeding each outcome back:
 * <ul>
 * <li>{@link Next#SSL_REQUEST}: SSLRequest is in {@link #core()}'s output; flush it, read one byte and give it
 *     to {@link #sslAnswer};</li>
 * <li>{@link Next#TLS} / {@link Next#DIRECT_TLS}: shake hands (ALPN "postgresql" required for direct), then
 *     {@link #secured};</li>
 * <li>{@link Next#RUN}: run {@link #command()} on {@link #core()} and, once it completed, call {@link #ran()};</li>
 * <li>{@link Next#DONE}: the session is ready; hand the attempt to {@link ConnectPlan#finished}.</li>
 * </ul>
 * Any step may throw the exception that ends the attempt; the driver closes its socket and hands it to
 * {@link ConnectPlan#failed}.
 */
public final class Attempt implements ConnectPlan.Step {
    /** What the driver does next. */
    public enum Next { SSL_REQUEST, TLS, DIRECT_TLS, RUN, DONE }

    private final ConnParams params;
    private final HostSpec host;
    private final InetAddress resolved;
    private final String attributes;
    private final TlsAttempt tls;
    private final int protocol;
    private final long deadlineNanos;
    private final ProtocolCore core = new ProtocolCore();
    private Command command;
    private Startup startup;
    private SessionAttributes check;
    /** For listeners: when the attempt began, whether TLS was set up, and the authenticator (its method). */
    final long startNanos = System.nanoTime();
    private boolean secured;
    private PasswordAuthenticator auth;

    Attempt(ConnParams params, HostSpec host, InetAddress resolved, String attributes, TlsAttempt tls, int protocol,
            long deadlineNanos) {
        this.params = params;
        this.host = host;
        this.resolved = resolved;
        this.attributes = attributes;
        this.tls = tls;
        this.protocol = protocol;
        this.deadlineNanos = deadlineNanos;
    }

    /** The same address again (its deadline too) with another TLS choice or protocol version. */
    Attempt again(TlsAttempt tls, int protocol) {
        return new Attempt(params, host, resolved, attributes, tls, protocol, deadlineNanos);
    }

    /** The address to connect to; {@link ConnectPlan#describe} names it in messages. */
    public HostSpec host() {
        return host;
    }

    /** The address the plan resolved the host name to, or null (a unix socket, a hostaddr, one address). */
    public InetAddress resolved() {
        return resolved;
    }

    /** The protocol core of the session this attempt builds: the driver reads into it and writes from it. */
    public ProtocolCore core() {
        return core;
    }

    /**
     * The System.nanoTime() by which the attempt must be done (connect_timeout, shared by the retries on the same
     * address); 0: none.
     */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** connect_timeout, or null. */
    public Duration timeout() {
        return params.connectTimeout();
    }

    TlsAttempt tls() {
        return tls;
    }

    int protocol() {
        return protocol;
    }

    String attributes() {
        return attributes;
    }

    /** Whether the TLS handshake was done. */
    boolean secured() {
        return secured;
    }

    /** The authentication method the server asked for ("trust" when none), or null before the startup. */
    String authMethod() {
        if (auth == null) {
            return null;
        }
        String m = auth.methodUsed();
        return m.equals("none") ? "trust" : m;
    }

    /** True once the startup exchange succeeded (a failure from then on is the session check's). */
    boolean started() {
        return check != null;
    }

    /** The socket is open: SSLRequest, a direct TLS handshake, or the startup in plain text. */
    public Next opened() {
        if (host.isUnixSocket() || !tls.asksForTls(params.sslmode())) {
            return startup(null);
        }
        if (TlsAttempt.isDirect(params)) {
            OperationalException wrong = TlsAttempt.checkDirect(params);
            if (wrong != null) {
                throw wrong;
            }
            return Next.DIRECT_TLS;
        }
        Frontend.sslRequest(core.output());
        return Next.SSL_REQUEST;
    }

    /**
     * The server's answer to SSLRequest.
     *
     * @param answer the byte read, -1 when the server closed the connection instead
     * @param moreBuffered whether more bytes came with an 'S' (someone may be injecting them: CVE-2021-23222)
     */
    public Next sslAnswer(int answer, boolean moreBuffered) {
        if (answer < 0) {
            throw new OperationalException("the server closed the connection in answer to SSLRequest");
        }
        if (answer == BackendMessage.SSL_ACCEPTED) {
            if (moreBuffered) {
                throw new OperationalException("protocol violation: the server sent unencrypted data after"
                        + " accepting TLS; the connection is not safe, check the network path to the server");
            }
            return Next.TLS;
        }
        if (answer == BackendMessage.SSL_REFUSED) {
            OperationalException refused = tls.refused(params.sslmode());
            if (refused != null) {
                throw refused;
            }
            return startup(null);
        }
        throw new OperationalException("protocol violation: unexpected answer '" + (char) answer + "' to SSLRequest");
    }

    /** The TLS handshake is done; {@code peer} is the server's certificate (for channel binding). */
    public Next secured(Certificate peer) {
        secured = true;
        return startup(peer);
    }

    private Next startup(Certificate peer) {
        AuthPolicy policy = AuthPolicy.of(params.get("require_auth"), params.get("channel_binding"));
        auth = new PasswordAuthenticator(params.user(), params.passwordFor(host), policy, peer);
        startup = new Startup(protocol, startupParams(params), auth);
        command = startup;
        return Next.RUN;
    }

    /** The command to run for {@link Next#RUN}. */
    public Command command() {
        return command;
    }

    /** The command handed out has completed: its error ends the attempt, else the next step. */
    public Next ran() {
        command.throwIfFailed();
        if (check == null) {
            OperationalException tooOld = belowMinimumProtocol(params, core.session().protocolVersion());
            if (tooOld != null) {
                throw tooOld;
            }
            check = new SessionAttributes(attributes);
        }
        command = check.next(core.session());
        return command == null ? Next.DONE : Next.RUN;
    }

    /** At {@link Next#DONE}: null when the session suits target_session_attrs, else why not. */
    String mismatch() {
        return check.mismatch();
    }

    /** The error when the session speaks less than min_protocol_version asks, else null. */
    static OperationalException belowMinimumProtocol(ConnParams params, int negotiated) {
        if ("3.2".equals(params.get("min_protocol_version")) && negotiated < Frontend.PROTOCOL_3_2) {
            return new OperationalException("the server only speaks protocol " + (negotiated >> 16) + "."
                    + (negotiated & 0xffff) + ", and min_protocol_version=3.2");
        }
        return null;
    }

    static Map<String, String> startupParams(ConnParams params) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("user", params.user());
        m.put("database", params.dbname());
        m.put("client_encoding", "UTF8");
        m.put("DateStyle", "ISO");
        String app = params.applicationName();
        if (app == null) {
            app = params.get("fallback_application_name");
        }
        if (app != null) {
            m.put("application_name", app);
        }
        String options = params.options();
        if (options == null || !options.contains("extra_float_digits")) {
            // trust #12: text float4/float8 exact whatever the server's or database's setting (as pgjdbc
            // asks); startup parameters come after "options" on the server, so a value given there is kept
            m.put("extra_float_digits", "3");
        }
        if (options != null) {
            m.put("options", options);
        }
        String replication = params.get("replication");
        if (replication != null) {
            m.put("replication", replication);
        }
        return m;
    }
}
