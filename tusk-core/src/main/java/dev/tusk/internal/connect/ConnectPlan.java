package dev.tusk.internal.connect;

import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.SessionState;
import dev.tusk.internal.observe.Observer;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.observe.ConnectAttempt;
import dev.tusk.observe.ConnectionFacts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One connect, decided the way libpq does it and written once, without I/O (psycopg's {@code conninfo_attempts}
 * and {@code generators.connect}): each {@code target_session_attrs} pass ({@code prefer-standby} makes two),
 * each host (shuffled for {@code load_balance_hosts=random}), each address its name resolves to, and on each
 * address the {@link Attempt}s: what the sslmode asks first, {@code allow}/{@code prefer}'s second try with or
 * without TLS, protocol 3.0 again when a server refuses a 3.2 startup outright. Any other failure, a refused
 * login included, moves on to the next address, as psycopg's own attempt loop does (libpq alone would stop at a
 * failed authentication). Every failure is listed in the final error.
 *
 * <p>The blocking {@link Connector} and the event-loop {@link AsyncConnector} only wait differently:
 * <pre>
 *   step = plan.start()
 *   Resolve r  → resolve r.host() the driver's way → plan.resolved(host, addresses) / plan.unresolved(host, e)
 *   Attempt a  → open a socket, run a's exchange   → plan.finished(a) / plan.failed(a, e) (socket closed)
 *   Connected  → keep the session
 *   GiveUp     → throw its error
 * </pre>
 * Not thread-safe: one driver thread (or loop) at a time.
 */
public final class ConnectPlan {
    /** What the driver does next. */
    public sealed interface Step permits Resolve, Attempt, Connected, GiveUp {
    }

    /** Resolve a host name to its addresses (all of them, libpq tries each). */
    public record Resolve(HostSpec host) implements Step {
    }

    /** The session of {@code attempt} is the one: keep it. */
    public record Connected(Attempt attempt) implements Step {
    }

    /** Every attempt failed: {@code error} says why (each attempt listed when there were several). */
    public record GiveUp(TuskException error) implements Step {
    }

    /** Hosts (host:port) that refused a protocol 3.2 startup outright: they get 3.0 from then on. */
    private static final Set<String> ONLY_3_0 = ConcurrentHashMap.newKeySet();

    private final ConnParams params;
    private final Random random;
    private final Set<String> only30;
    private final String wanted;
    private final List<String> passes;
    private final List<HostSpec> hosts;
    private final List<String> failures = new ArrayList<>();
    private TuskException last;
    private int pass;
    private int host;
    private List<HostSpec> addresses = List.of();
    private List<InetAddress> resolved = List.of();
    private int address;
    /** The listeners told of each attempt, or null. */
    private Observer observer;

    /** The plan of connecting with {@code params}: a random order from this thread's generator, 3.0 hosts remembered. */
    public ConnectPlan(ConnParams params) {
        this(params, ThreadLocalRandom.current(), ONLY_3_0);
    }

    /**
     * @param random shuffles hosts and addresses for {@code load_balance_hosts=random}
     * @param only30 the hosts (as {@link #describe}d) known to refuse protocol 3.2; the plan adds to it
     */
    ConnectPlan(ConnParams params, Random random, Set<String> only30) {
        this.params = params;
        this.random = random;
        this.only30 = only30;
        String attrs = params.get("target_session_attrs");
        this.wanted = attrs == null || attrs.isEmpty() ? "any" : attrs;
        // prefer-standby: a standby if any host is one, else whatever answers (libpq's two passes)
        this.passes = wanted.equals("prefer-standby") ? List.of("standby", "any") : List.of(wanted);
        this.hosts = shuffled(params.hosts());
    }

    private <T> List<T> shuffled(List<T> list) {
        if (list.size() < 2 || !"random".equals(params.get("load_balance_hosts"))) {
            return list;
        }
        List<T> copy = new ArrayList<>(list);
        Collections.shuffle(copy, random);
        return copy;
    }

    /** Tells {@code observer} (null: nobody) of each attempt as it ends. */
    public ConnectPlan observe(Observer observer) {
        this.observer = observer;
        return this;
    }

    /** The first step. */
    public Step start() {
        return nextHost();
    }

    /** {@code host} resolves to {@code all} (in the resolver's order): its first address is tried next. */
    public Step resolved(HostSpec host, InetAddress[] all) {
        List<HostSpec> specs = new ArrayList<>(all.length);
        List<InetAddress> addrs = new ArrayList<>(all.length);
        if (all.length == 1) {
            specs.add(host); // named without the address in messages, as libpq does for a single one
            addrs.add(all[0]);
        } else {
            List<InetAddress> order = shuffled(List.of(all));
            for (InetAddress a : order) {
                specs.add(new HostSpec(host.host(), a.getHostAddress(), host.port()));
                addrs.add(a);
            }
        }
        return tryAddresses(specs, addrs);
    }

    /** {@code host} did not resolve ({@code e}: what the resolver threw): listed, the next host is tried. */
    public Step unresolved(HostSpec host, Exception e) {
        if (e instanceof UnknownHostException) {
            failures.add(describe(host) + ": could not translate host name \"" + host.host() + "\" to an address");
        } else {
            last = e instanceof TuskException te ? te : connectionFailed(host, e);
            failures.add(describe(host) + ": " + last.getMessage());
        }
        return nextHost();
    }

    /**
     * {@code attempt} failed with {@code e} (its socket closed): the same address again with allow/prefer's other
     * TLS choice or protocol 3.0 when the error calls for it, else the next address.
     */
    public Step failed(Attempt attempt, TuskException e) {
        if (!attempt.started() && e instanceof DatabaseException de) {
            if (attempt.protocol() != Frontend.PROTOCOL_3_0 && fallsBackTo30(de, attempt.host())) {
                return attempt.again(attempt.tls(), Frontend.PROTOCOL_3_0);
            }
            if (attempt.tls() == TlsAttempt.AS_SSLMODE) {
                TlsAttempt retry = TlsAttempt.retryAfter(de, attempt.host(), params);
                if (retry != null) {
                    return attempt.again(retry, firstProtocol(attempt.host()));
                }
            }
        }
        last = asOperational(e);
        failures.add(describe(attempt.host()) + ": " + e.getMessage());
        if (observer != null) {
            report(attempt, e);
        }
        return nextAddress();
    }

    /**
     * A failure to connect as psycopg raises it, an {@link OperationalException} whatever refused the login: a
     * server error of another class ({@code dbname=nosuchdb}: InvalidCatalogName, 3D000) is kept as the cause,
     * with its fields, so {@code sqlstate()} and {@code diag()} still tell what the server said.
     */
    static TuskException asOperational(TuskException e) {
        if (e instanceof OperationalException) {
            return e;
        }
        return new OperationalException(e.getMessage(), e, e.diag());
    }

    /** {@code attempt}'s session is ready: kept when it suits target_session_attrs, else closed by the driver. */
    public Step finished(Attempt attempt) {
        String mismatch = attempt.mismatch();
        if (mismatch == null) {
            if (observer != null) {
                report(attempt, null);
            }
            return new Connected(attempt);
        }
        failures.add(describe(attempt.host()) + ": " + mismatch + " (target_session_attrs=" + wanted + ")");
        if (observer != null) {
            report(attempt, new OperationalException(mismatch + " (target_session_attrs=" + wanted + ")"));
        }
        return nextAddress();
    }

    private Step nextHost() {
        if (host == hosts.size()) {
            host = 0;
            pass++;
        }
        if (pass == passes.size()) {
            return new GiveUp(finalError());
        }
        HostSpec h = hosts.get(host++);
        if (h.isUnixSocket() || h.hostaddr() != null) {
            return tryAddresses(List.of(h), Collections.singletonList(null));
        }
        return new Resolve(h);
    }

    private Step tryAddresses(List<HostSpec> specs, List<InetAddress> addrs) {
        addresses = specs;
        resolved = addrs;
        address = 0;
        return nextAddress();
    }

    private Step nextAddress() {
        if (address == addresses.size()) {
            return nextHost();
        }
        HostSpec spec = addresses.get(address);
        InetAddress inet = resolved.get(address);
        address++;
        // connect_timeout bounds everything done on this address (libpq: per host or address), retries included
        Duration timeout = params.connectTimeout();
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        return new Attempt(params, spec, inet, passes.get(pass), TlsAttempt.AS_SSLMODE, firstProtocol(spec), deadline);
    }

    /**
     * Tells the observer of {@code attempt}, ended with {@code error} (null: connected); a connected attempt's
     * facts become the connection's.
     */
    private void report(Attempt attempt, TuskException error) {
        HostSpec h = attempt.host();
        String address = h.isUnixSocket() ? h.socketPath().toString()
                : attempt.resolved() != null ? attempt.resolved().getHostAddress() : h.hostaddr();
        boolean ran = attempt.authMethod() != null && attempt.core().session().protocolVersion() != 0;
        int v = attempt.core().session().protocolVersion();
        String protocol = error == null || ran ? (v >> 16) + "." + (v & 0xffff) : null;
        ConnectionFacts facts = null;
        if (error == null) {
            SessionState s = attempt.core().session();
            int version = 0;
            try {
                String num = s.parameter("server_version_num");
                version = num != null ? Integer.parseInt(num.trim()) : serverVersion(s.parameter("server_version"));
            } catch (RuntimeException ignored) {
                // left 0: unknown
            }
            facts = new ConnectionFacts(params.dbname(), params.user(), h.host(), address, h.port(), attempt.secured(),
                    version, s.backendPid(), s.parameter("application_name"));
            observer.facts(facts);
        }
        observer.connectAttempt(new ConnectAttempt(h.host(), address, h.port(), attempt.secured(), attempt.authMethod(),
                protocol, System.nanoTime() - attempt.startNanos, error, facts));
    }

    /** {@code server_version} as a number: 180001 for "18.1", 90603 for "9.6.3"; 0 when absent. */
    static int serverVersion(String v) {
        if (v == null) {
            return 0;
        }
        String[] parts = v.trim().split("[^0-9]+");
        int major = parts.length > 0 && !parts[0].isEmpty() ? Integer.parseInt(parts[0]) : 0;
        int minor = parts.length > 1 && !parts[1].isEmpty() ? Integer.parseInt(parts[1]) : 0;
        return major >= 10 ? major * 10000 + minor
                : major * 10000 + minor * 100 + (parts.length > 2 && !parts[2].isEmpty() ? Integer.parseInt(parts[2]) : 0);
    }

    /** The error once every attempt failed: the only one's own, or each attempt listed. */
    private TuskException finalError() {
        if (failures.size() == 1 && last != null) {
            return last;
        }
        return new OperationalException("could not connect to any host (" + failures.size() + " attempts):\n  "
                + String.join("\n  ", failures), last);
    }

    /** The protocol to ask {@code host} for first: 3.2 unless max_protocol_version or an earlier refusal says 3.0. */
    private int firstProtocol(HostSpec host) {
        boolean ask32 = !"3.0".equals(params.get("max_protocol_version"))
                && (only30.isEmpty() || !only30.contains(describe(host))); // no name built per connect unless needed
        return ask32 ? Frontend.PROTOCOL_3_2 : Frontend.PROTOCOL_3_0;
    }

    /**
     * Whether a 3.2 startup that failed with {@code e} is asked again with 3.0 (then remembered for the host):
     * only the server's own refusal of the startup (an ErrorResponse: PgBouncer 1.18 says "bad packet header",
     * 08P01) is retried; a protocol violation detected by the client is not.
     */
    private boolean fallsBackTo30(DatabaseException e, HostSpec host) {
        String serverState = e.diag().sqlstate();
        boolean rejected32 = "08P01".equals(serverState) || "0A000".equals(serverState);
        if (!rejected32 || "3.2".equals(params.get("min_protocol_version"))) {
            return false;
        }
        only30.add(describe(host));
        return true;
    }

    /** How messages name an address: {@code "db1" (10.0.0.1), port 5432}, or {@code socket "/run/.s.PGSQL.5432"}. */
    static String describe(HostSpec h) {
        if (h.isUnixSocket()) {
            return "socket \"" + h.socketPath() + "\"";
        }
        return "\"" + h.host() + "\"" + (h.hostaddr() != null ? " (" + h.hostaddr() + ")" : "") + ", port " + h.port();
    }

    /** The error of a socket that could not be opened (or set up) to {@code host}. */
    static OperationalException connectionFailed(HostSpec host, Throwable e) {
        if (e instanceof ClosedByInterruptException) {
            return new OperationalException("connection to " + describe(host) + " failed: " + reason((IOException) e), e);
        }
        if (e instanceof IOException) {
            return new OperationalException("connection to " + describe(host) + " failed: " + e.getMessage()
                    + (host.isUnixSocket() ? "" : "; is the server running and accepting TCP/IP connections?"), e);
        }
        return new OperationalException("connection to " + describe(host) + " failed: " + e, e);
    }

    /**
     * What an I/O error of the attempt says; an interrupt of the connecting thread closes a channel's socket with an
     * exception that says nothing (its message is null).
     */
    static String reason(IOException e) {
        return e instanceof ClosedByInterruptException ? "the connecting thread was interrupted (the socket is closed)"
                : e.getMessage();
    }

    /** The error of an attempt on {@code host} that ran out of connect_timeout; {@code cause} what the driver saw. */
    static OperationalException timedOut(HostSpec host, Duration timeout, Throwable cause) {
        return new OperationalException("connection to " + describe(host) + " timed out after "
                + timeout.toSeconds() + " s (connect_timeout): the server did not complete the connection"
                + " (TCP connect, TLS, startup and authentication) in time", cause);
    }
}
