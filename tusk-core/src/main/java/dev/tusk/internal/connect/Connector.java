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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        for (HostSpec host : params.hosts()) {
            try {
                return connectAllowingTls(host, params);
            } catch (TuskException e) {
                last = e;
                failures.add(describe(host) + ": " + e.getMessage());
            }
        }
        if (failures.size() == 1) {
            throw last;
        }
        throw new OperationalException("could not connect to any host:\n  " + String.join("\n  ", failures), last);
    }

    /** sslmode=allow: plain text first; when the server refuses it (pg_hba hostssl), again over TLS. */
    private static Established connectAllowingTls(HostSpec host, ConnParams params) {
        try {
            return connectTo(host, params, false);
        } catch (DatabaseException e) {
            if (params.sslmode().equals("allow") && !host.isUnixSocket() && e.sqlstate() != null && e.sqlstate().startsWith("28")) {
                return connectTo(host, params, true);
            }
            throw e;
        }
    }

    private static Established connectTo(HostSpec host, ConnParams params, boolean tlsAfterRefusal) {
        Duration timeout = params.connectTimeout();
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        Transport transport = open(host, params, timeout);
        ProtocolCore core = new ProtocolCore();
        BlockingDriver driver = new BlockingDriver(core, transport);
        try {
            setTimeout(transport, deadline);
            if (!host.isUnixSocket()) {
                negotiateTls(driver, host, params, deadline, tlsAfterRefusal);
            }
            String user = params.user();
            AuthPolicy policy = AuthPolicy.of(params.get("require_auth"), params.get("channel_binding"));
            Startup startup = new Startup(Frontend.PROTOCOL_3_0, startupParams(params),
                    new PasswordAuthenticator(user, params.passwordFor(host), policy, driver.transport().peerCertificate()));
            driver.run(startup);
            startup.throwIfFailed();
            driver.transport().setReadTimeout(0);
            return new Established(driver, host, params);
        } catch (SocketTimeoutException e) {
            driver.close();
            throw new OperationalException("connection to " + describe(host) + " timed out after " + timeout.toSeconds()
                    + " s (connect_timeout) waiting for the server to answer", e);
        } catch (IOException e) {
            driver.close();
            throw new OperationalException("connection to " + describe(host) + " failed: " + e.getMessage(), e);
        } catch (TuskException e) {
            driver.close();
            if (e.getCause() instanceof SocketTimeoutException) {
                throw new OperationalException("connection timed out after " + timeout.toSeconds()
                        + " s (connect_timeout) waiting for the server to answer", e);
            }
            throw e;
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    private static void setTimeout(Transport t, long deadline) throws IOException {
        if (deadline != 0) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            t.setReadTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }
    }

    private static Transport open(HostSpec host, ConnParams params, Duration timeout) {
        try {
            if (host.isUnixSocket()) {
                return new UnixSocketTransport(host.socketPath());
            }
            Socket s = new Socket();
            TcpOptions.apply(s, params);
            String address = host.hostaddr() != null ? host.hostaddr() : host.host();
            s.connect(new InetSocketAddress(address, host.port()), timeout == null ? 0 : (int) timeout.toMillis());
            return new SocketTransport(s);
        } catch (SocketTimeoutException e) {
            throw new OperationalException("connection to " + describe(host) + " timed out after "
                    + timeout.toSeconds() + " s (connect_timeout)", e);
        } catch (IOException e) {
            throw new OperationalException("connection to " + describe(host) + " failed: " + e.getMessage()
                    + (host.isUnixSocket() ? "" : "; is the server running and accepting TCP/IP connections?"), e);
        }
    }

    private static void negotiateTls(BlockingDriver driver, HostSpec host, ConnParams params, long deadline,
                                     boolean tlsAfterRefusal) throws IOException {
        String mode = params.sslmode();
        if (mode.equals("disable") || (mode.equals("allow") && !tlsAfterRefusal)) {
            return;
        }
        SocketTransport socket = (SocketTransport) driver.transport();
        if ("direct".equals(params.get("sslnegotiation"))) {
            if (mode.equals("prefer")) {
                throw new OperationalException("sslnegotiation=direct needs sslmode=require or stronger (it cannot fall"
                        + " back to plain text): set sslmode");
            }
            driver.transport(new SocketTransport(TlsNegotiator.wrap(socket.socket(), host.host(), host.port(), params, true)));
            setTimeout(driver.transport(), deadline);
            return;
        }
        MessageWriter out = driver.core().output();
        Frontend.sslRequest(out);
        driver.flush();
        SocketTransport plain = (SocketTransport) driver.transport();
        byte[] one = new byte[1];
        int n = plain.read(one, 0, 1);
        if (n < 0) {
            throw new OperationalException("the server closed the connection in answer to SSLRequest");
        }
        if (one[0] == 'S') {
            driver.transport(new SocketTransport(TlsNegotiator.wrap(plain.socket(), host.host(), host.port(), params)));
            setTimeout(driver.transport(), deadline);
        } else if (one[0] == 'N') {
            if (!mode.equals("prefer") || tlsAfterRefusal) {
                throw new OperationalException("the server does not support TLS, but sslmode=" + mode + " requires it");
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
