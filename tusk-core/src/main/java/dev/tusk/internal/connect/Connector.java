package dev.tusk.internal.connect;

import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.Startup;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.SocketTransport;
import dev.tusk.internal.io.Transport;
import dev.tusk.internal.io.UnixSocketTransport;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens a connection the way libpq does: each host in turn, TLS as the sslmode says, then the startup
 * and authentication exchange, all within {@code connect_timeout} per attempt.
 */
public final class Connector {
    private Connector() {
    }

    /** A connected, authenticated session. */
    public record Established(BlockingDriver driver, HostSpec host, ConnParams params) {
    }

    public static Established connect(ConnParams params) {
        dev.tusk.internal.io.EventLoop.checkNotOnEventLoop("a blocking Connection.connect()");
        List<String> failures = new ArrayList<>();
        TuskException last = null;
        List<HostSpec> hosts = params.connectionOrder();
        String wanted = targetSessionAttrs(params);
        for (String attrs : passes(wanted)) {
            for (HostSpec host : hosts) {
                for (HostSpec address : addresses(host, failures)) {
                    // connect_timeout bounds the whole attempt on this address (libpq: per host or address)
                    try (AttemptDeadline deadline = AttemptDeadline.start(params.connectTimeout())) {
                        Established est = connectAllowingTls(address, params, deadline);
                        String mismatch;
                        try {
                            mismatch = SessionAttributes.mismatch(est.driver(), attrs);
                            est.driver().readDeadline(0);
                        } catch (TuskException e) {
                            est.driver().close();
                            throw deadline.explains(e) ? deadline.timedOut(address, e) : e;
                        }
                        if (mismatch == null) {
                            return est;
                        }
                        est.driver().close();
                        failures.add(describe(address) + ": " + mismatch + " (target_session_attrs=" + wanted + ")");
                    } catch (TuskException e) {
                        last = e;
                        failures.add(describe(address) + ": " + e.getMessage());
                    }
                }
            }
        }
        throw finalError(failures, last);
    }

    /** The {@code target_session_attrs} asked for, {@code any} by default. */
    static String targetSessionAttrs(ConnParams params) {
        String wanted = params.get("target_session_attrs");
        return wanted == null || wanted.isEmpty() ? "any" : wanted;
    }

    /** prefer-standby: a standby if any host is one, else whatever answers (libpq's two passes). */
    static List<String> passes(String wanted) {
        return wanted.equals("prefer-standby") ? List.of("standby", "any") : List.of(wanted);
    }

    /** The error once every attempt failed: the only one's own, or each attempt listed. */
    static TuskException finalError(List<String> failures, TuskException last) {
        if (failures.size() == 1 && last != null) {
            return last;
        }
        return new OperationalException("could not connect to any host (" + failures.size() + " attempts):\n  "
                + String.join("\n  ", failures), last);
    }

    /**
     * Every address a host name resolves to (libpq tries each); a literal address or socket as is. A name
     * that does not resolve adds its failure to {@code failures} and gives no address. Blocks on DNS.
     */
    static List<HostSpec> addresses(HostSpec host, List<String> failures) {
        if (host.isUnixSocket() || host.hostaddr() != null) {
            return List.of(host);
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(host.host());
            if (all.length == 1) {
                return List.of(host);
            }
            List<HostSpec> out = new ArrayList<>(all.length);
            for (InetAddress a : all) {
                out.add(new HostSpec(host.host(), a.getHostAddress(), host.port()));
            }
            return out;
        } catch (UnknownHostException e) {
            failures.add(describe(host) + ": could not translate host name \"" + host.host() + "\" to an address");
            return List.of();
        }
    }

    /** sslmode=allow: plain text first; when the server refuses it (pg_hba hostssl), again over TLS. prefer: the reverse. */
    private static Established connectAllowingTls(HostSpec host, ConnParams params, AttemptDeadline deadline) {
        try {
            return connectWithProtocol(host, params, TlsAttempt.AS_SSLMODE, deadline);
        } catch (DatabaseException e) {
            TlsAttempt retry = TlsAttempt.retryAfter(e, host, params);
            if (retry == null) {
                throw e;
            }
            return connectWithProtocol(host, params, retry, deadline);
        }
    }

    /** Hosts (host:port) that refused a protocol 3.2 startup outright: they get 3.0 from then on. */
    private static final Map<String, Boolean> ONLY_3_0 = new ConcurrentHashMap<>();

    /**
     * Asks for protocol 3.2 (unless max_protocol_version says 3.0); a server that only knows 3.0 answers
     * NegotiateProtocolVersion and the session goes on in 3.0. A server or pooler that rejects the startup
     * instead is asked again with 3.0, once, and remembered.
     */
    private static Established connectWithProtocol(HostSpec host, ConnParams params, TlsAttempt tls,
                                                   AttemptDeadline deadline) {
        int protocol = firstProtocol(host, params);
        try {
            return connectTo(host, params, tls, protocol, deadline);
        } catch (DatabaseException e) {
            if (protocol == Frontend.PROTOCOL_3_0 || !fallsBackTo30(e, host, params)) {
                throw e;
            }
            return connectTo(host, params, tls, Frontend.PROTOCOL_3_0, deadline);
        }
    }

    /** The protocol to ask {@code host} for first: 3.2 unless max_protocol_version or an earlier refusal says 3.0. */
    static int firstProtocol(HostSpec host, ConnParams params) {
        boolean ask32 = !"3.0".equals(params.get("max_protocol_version")) && !ONLY_3_0.containsKey(describe(host));
        return ask32 ? Frontend.PROTOCOL_3_2 : Frontend.PROTOCOL_3_0;
    }

    /**
     * Whether a 3.2 startup that failed with {@code e} is asked again with 3.0 (then remembered for the host):
     * only the server's own refusal of the startup (an ErrorResponse: PgBouncer 1.18 says "bad packet header",
     * 08P01) is retried; a protocol violation detected by the client is not.
     */
    static boolean fallsBackTo30(DatabaseException e, HostSpec host, ConnParams params) {
        String serverState = e.diag().sqlstate();
        boolean rejected32 = "08P01".equals(serverState) || "0A000".equals(serverState);
        if (!rejected32 || "3.2".equals(params.get("min_protocol_version"))) {
            return false;
        }
        ONLY_3_0.put(describe(host), Boolean.TRUE);
        return true;
    }

    /** The error when the session speaks less than min_protocol_version asks, else null. */
    static OperationalException belowMinimumProtocol(ConnParams params, int negotiated) {
        if ("3.2".equals(params.get("min_protocol_version")) && negotiated < Frontend.PROTOCOL_3_2) {
            return new OperationalException("the server only speaks protocol " + (negotiated >> 16) + "."
                    + (negotiated & 0xffff) + ", and min_protocol_version=3.2");
        }
        return null;
    }

    /**
     * One startup on {@code host}. The driver returned still has {@code deadline} on its reads (the caller may
     * run the target_session_attrs check within it) until {@code driver.readDeadline(0)}.
     */
    private static Established connectTo(HostSpec host, ConnParams params, TlsAttempt tls, int protocol,
                                         AttemptDeadline deadline) {
        Transport transport = open(host, params, deadline);
        ProtocolCore core = new ProtocolCore();
        BlockingDriver driver = new BlockingDriver(core, transport);
        try {
            driver.readDeadline(deadline.deadlineNanos());
            transport.setReadTimeout(deadline.millisLeft());
            if (!host.isUnixSocket()) {
                negotiateTls(driver, host, params, deadline, tls);
            }
            String user = params.user();
            AuthPolicy policy = AuthPolicy.of(params.get("require_auth"), params.get("channel_binding"));
            Startup startup = new Startup(protocol, startupParams(params),
                    new PasswordAuthenticator(user, params.passwordFor(host), policy, driver.transport().peerCertificate()));
            driver.run(startup);
            startup.throwIfFailed();
            OperationalException tooOld = belowMinimumProtocol(params, core.session().protocolVersion());
            if (tooOld != null) {
                throw tooOld;
            }
            return new Established(driver, host, params);
        } catch (IOException e) {
            driver.close();
            if (deadline.explains(e)) {
                throw deadline.timedOut(host, e);
            }
            throw new OperationalException("connection to " + describe(host) + " failed: " + e.getMessage(), e);
        } catch (TuskException e) {
            driver.close();
            if (deadline.explains(e)) {
                throw deadline.timedOut(host, e);
            }
            throw e;
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    private static Transport open(HostSpec host, ConnParams params, AttemptDeadline deadline) {
        Socket s = null;
        try {
            if (host.isUnixSocket()) {
                return new UnixSocketTransport(host.socketPath());
            }
            // a channel's socket: a pool can then check an idle connection without waiting (SocketTransport.readNow)
            s = java.nio.channels.SocketChannel.open().socket();
            deadline.watch(s);
            TcpOptions.apply(s, params);
            String address = host.hostaddr() != null ? host.hostaddr() : host.host();
            s.connect(new InetSocketAddress(address, host.port()), deadline.millisLeft());
            return new SocketTransport(s);
        } catch (IOException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // failed anyway
                }
            }
            if (deadline.explains(e)) {
                throw deadline.timedOut(host, e);
            }
            throw new OperationalException("connection to " + describe(host) + " failed: " + e.getMessage()
                    + (host.isUnixSocket() ? "" : "; is the server running and accepting TCP/IP connections?"), e);
        }
    }

    private static void negotiateTls(BlockingDriver driver, HostSpec host, ConnParams params, AttemptDeadline deadline,
                                     TlsAttempt tls) throws IOException {
        if (!tls.asksForTls(params.sslmode())) {
            return;
        }
        SocketTransport socket = (SocketTransport) driver.transport();
        if (TlsAttempt.isDirect(params)) {
            OperationalException wrong = TlsAttempt.checkDirect(params);
            if (wrong != null) {
                throw wrong;
            }
            socket.setReadTimeout(deadline.millisLeft());
            driver.transport(new SocketTransport(TlsNegotiator.wrap(socket.socket(), host.host(), host.port(), params, true)));
            driver.transport().setReadTimeout(deadline.millisLeft());
            return;
        }
        MessageWriter out = driver.core().output();
        Frontend.sslRequest(out);
        driver.flush();
        SocketTransport plain = (SocketTransport) driver.transport();
        byte[] one = new byte[1];
        plain.setReadTimeout(deadline.millisLeft());
        int n = plain.read(one, 0, 1);
        if (n < 0) {
            throw new OperationalException("the server closed the connection in answer to SSLRequest");
        }
        if (one[0] == 'S') {
            plain.setReadTimeout(deadline.millisLeft());
            driver.transport(new SocketTransport(TlsNegotiator.wrap(plain.socket(), host.host(), host.port(), params)));
            driver.transport().setReadTimeout(deadline.millisLeft());
        } else if (one[0] == 'N') {
            OperationalException refused = tls.refused(params.sslmode());
            if (refused != null) {
                throw refused;
            }
        } else {
            throw new OperationalException("protocol violation: unexpected answer '" + (char) one[0] + "' to SSLRequest");
        }
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

    static String describe(HostSpec h) {
        if (h.isUnixSocket()) {
            return "socket \"" + h.socketPath() + "\"";
        }
        return "\"" + h.host() + "\"" + (h.hostaddr() != null ? " (" + h.hostaddr() + ")" : "") + ", port " + h.port();
    }
}
