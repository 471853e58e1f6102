package dev.tusk.internal.connect;

import dev.tusk.Conninfo;
import dev.tusk.errors.InvalidAuthorizationSpecification;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProtocolViolation;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.Environment;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.wire.Frontend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The connect plan and its attempts without a server or a socket: the test plays the driver, answering each
 * step with the bytes a server would send, and checks what the plan decides.
 */
@Timeout(10)
class ConnectPlanTest {
    @TempDir
    Path home;

    private final Set<String> only30 = new HashSet<>();

    private ConnParams params(String conninfo) {
        Environment env = Environment.of(Map.of(), home, "alice").withSocketDirs(List.of(home.resolve("nosockets")))
                .withSysconfDir(home.resolve("etc"));
        return ConnParams.resolve(Conninfo.parse(conninfo), env);
    }

    private ConnectPlan plan(String conninfo) {
        return plan(conninfo, new Random(1));
    }

    private ConnectPlan plan(String conninfo, Random random) {
        return new ConnectPlan(params(conninfo), random, only30);
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    private static Attempt attempt(ConnectPlan.Step step) {
        assertThat(step).isInstanceOf(Attempt.class);
        return (Attempt) step;
    }

    private static HostSpec resolve(ConnectPlan.Step step) {
        assertThat(step).isInstanceOf(ConnectPlan.Resolve.class);
        return ((ConnectPlan.Resolve) step).host();
    }

    private static TuskException gaveUp(ConnectPlan.Step step) {
        assertThat(step).isInstanceOf(ConnectPlan.GiveUp.class);
        return ((ConnectPlan.GiveUp) step).error();
    }

    /** What the driver sent so far (and forgets it, as a flush does). */
    private static byte[] sent(Attempt a) {
        byte[] out = a.core().output().toByteArray();
        a.core().output().clear();
        return out;
    }

    /** Runs the attempt's command: sends it, feeds the server's answer, and asks for the next step. */
    private static Attempt.Next run(Attempt a, byte[] server) {
        send(a);
        return answer(a, server);
    }

    /** Sends the attempt's command; what it wrote. */
    private static byte[] send(Attempt a) {
        a.core().send(a.command());
        return sent(a);
    }

    /** Feeds the server's answer to the command sent, and asks for the next step. */
    private static Attempt.Next answer(Attempt a, byte[] server) {
        ProtocolCore core = a.core();
        core.input().append(server, 0, server.length);
        core.process();
        return a.ran();
    }

    /** The protocol version a StartupMessage asks for. */
    private static int protocol(byte[] startup) {
        return ((startup[4] & 0xff) << 24) | ((startup[5] & 0xff) << 16) | ((startup[6] & 0xff) << 8) | (startup[7] & 0xff);
    }

    /** Plain-text startup to a ready session, server parameters as given (name, value, ...). */
    private static Attempt.Next startPlain(Attempt a, String... parameters) {
        assertThat(a.opened()).isEqualTo(Attempt.Next.RUN);
        Server s = new Server().authOk();
        for (int i = 0; i < parameters.length; i += 2) {
            s.parameter(parameters[i], parameters[i + 1]);
        }
        return run(a, s.keyData().ready().bytes());
    }

    private static TuskException failWith(Attempt a, byte[] server) {
        if (!a.core().hasPending()) {
            send(a);
        }
        try {
            answer(a, server);
        } catch (TuskException e) {
            return e;
        }
        throw new AssertionError("the attempt did not fail");
    }

    @Test
    void hostsThenEachAddressOfAHostAreTriedInOrderAndEveryFailureIsListed() throws Exception {
        ConnectPlan plan = plan("host=db1,db2,db3 port=5432,5433,5434 sslmode=disable");
        HostSpec db1 = resolve(plan.start());
        assertThat(db1.host()).isEqualTo("db1");
        Attempt first = attempt(plan.resolved(db1, new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.2")}));
        assertThat(first.host()).isEqualTo(new HostSpec("db1", "10.0.0.1", 5432));
        assertThat(first.resolved()).isEqualTo(ip("10.0.0.1"));
        Attempt second = attempt(plan.failed(first, new OperationalException("refused")));
        assertThat(second.host()).isEqualTo(new HostSpec("db1", "10.0.0.2", 5432));
        HostSpec db2 = resolve(plan.failed(second, new OperationalException("refused too")));
        assertThat(db2).isEqualTo(new HostSpec("db2", null, 5433));
        HostSpec db3 = resolve(plan.unresolved(db2, new UnknownHostException("db2")));
        Attempt only = attempt(plan.resolved(db3, new InetAddress[] {ip("10.0.0.3")}));
        assertThat(only.host()).isEqualTo(db3); // one address: named without it, as libpq does
        assertThat(only.resolved()).isEqualTo(ip("10.0.0.3"));
        TuskException error = gaveUp(plan.failed(only, new OperationalException("timed out")));
        assertThat(error).isInstanceOf(OperationalException.class).hasMessage("could not connect to any host (4 attempts):\n"
                + "  \"db1\" (10.0.0.1), port 5432: refused\n"
                + "  \"db1\" (10.0.0.2), port 5432: refused too\n"
                + "  \"db2\", port 5433: could not translate host name \"db2\" to an address\n"
                + "  \"db3\", port 5434: timed out");
        assertThat(error.getCause()).hasMessage("timed out");
    }

    @Test
    void theOnlyAttemptsErrorIsThrownAsItIs() {
        ConnectPlan plan = plan("host=db1 hostaddr=127.0.0.1 sslmode=disable");
        Attempt a = attempt(plan.start()); // a hostaddr needs no resolving
        OperationalException refused = new OperationalException("connection refused");
        assertThat(gaveUp(plan.failed(a, refused))).isSameAs(refused);
    }

    @Test
    void loadBalanceHostsRandomShufflesHostsAndAddressesWithTheGivenRandom() throws Exception {
        List<String> names = List.of("h1", "h2", "h3", "h4", "h5");
        List<InetAddress> addresses = List.of(ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.4"));
        Random expected = new Random(42);
        List<String> hostOrder = new ArrayList<>(names);
        Collections.shuffle(hostOrder, expected);
        List<InetAddress> addressOrder = new ArrayList<>(addresses);
        Collections.shuffle(addressOrder, expected);
        assertThat(hostOrder).isNotEqualTo(names);
        assertThat(addressOrder).isNotEqualTo(addresses);

        ConnectPlan plan = plan("host=h1,h2,h3,h4,h5 load_balance_hosts=random sslmode=disable", new Random(42));
        HostSpec first = resolve(plan.start());
        assertThat(first.host()).isEqualTo(hostOrder.get(0));
        List<InetAddress> tried = new ArrayList<>();
        ConnectPlan.Step step = plan.resolved(first, addresses.toArray(new InetAddress[0]));
        while (step instanceof Attempt a) {
            tried.add(a.resolved());
            step = plan.failed(a, new OperationalException("refused"));
        }
        assertThat(tried).isEqualTo(addressOrder);
        List<String> hostsTried = new ArrayList<>(List.of(first.host()));
        while (step instanceof ConnectPlan.Resolve r) {
            hostsTried.add(r.host().host());
            step = plan.unresolved(r.host(), new UnknownHostException(r.host().host()));
        }
        assertThat(hostsTried).isEqualTo(hostOrder);
        assertThat(gaveUp(step)).hasMessageStartingWith("could not connect to any host (8 attempts):");
    }

    @Test
    void withoutLoadBalancingHostsAndAddressesKeepTheirOrder() throws Exception {
        ConnectPlan plan = plan("host=h1,h2,h3 sslmode=disable", new Random(42));
        HostSpec h1 = resolve(plan.start());
        assertThat(h1.host()).isEqualTo("h1");
        Attempt a = attempt(plan.resolved(h1, new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")}));
        assertThat(a.resolved()).isEqualTo(ip("10.0.0.1"));
        a = attempt(plan.failed(a, new OperationalException("refused")));
        assertThat(a.resolved()).isEqualTo(ip("10.0.0.2"));
        a = attempt(plan.failed(a, new OperationalException("refused")));
        assertThat(a.resolved()).isEqualTo(ip("10.0.0.3"));
        assertThat(resolve(plan.failed(a, new OperationalException("refused"))).host()).isEqualTo("h2");
    }

    @Test
    void sslRequestIsTheEightBytesOfTheProtocolAndATlsAnswerLeadsToTheHandshake() {
        Attempt a = attempt(plan("hostaddr=127.0.0.1 sslmode=require").start());
        assertThat(a.opened()).isEqualTo(Attempt.Next.SSL_REQUEST);
        assertThat(sent(a)).containsExactly(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f);
        assertThat(a.sslAnswer('S', false)).isEqualTo(Attempt.Next.TLS);
        assertThat(a.secured(null)).isEqualTo(Attempt.Next.RUN);
    }

    @Test
    void bytesSentWithTheTlsAnswerAreRefused() {
        Attempt a = attempt(plan("hostaddr=127.0.0.1 sslmode=require").start());
        a.opened();
        assertThatThrownBy(() -> a.sslAnswer('S', true)).isInstanceOf(OperationalException.class)
                .hasMessageContaining("the server sent unencrypted data after accepting TLS");
    }

    @Test
    void sslmodeRequireStopsWhenTheServerRefusesTls() {
        ConnectPlan plan = plan("hostaddr=127.0.0.1 sslmode=require");
        Attempt a = attempt(plan.start());
        a.opened();
        OperationalException refused = null;
        try {
            a.sslAnswer('N', false);
        } catch (OperationalException e) {
            refused = e;
        }
        assertThat(refused).hasMessage("the server does not support TLS, but sslmode=require requires it");
        assertThat(gaveUp(plan.failed(a, refused))).isSameAs(refused);
    }

    @Test
    void sslmodePreferGoesOnInPlainTextWhenTheServerRefusesTls() {
        Attempt a = attempt(plan("hostaddr=127.0.0.1 sslmode=prefer").start());
        assertThat(a.opened()).isEqualTo(Attempt.Next.SSL_REQUEST);
        sent(a);
        assertThat(a.sslAnswer('N', false)).isEqualTo(Attempt.Next.RUN);
        assertThatThrownBy(() -> a.sslAnswer('X', false)).hasMessage("protocol violation: unexpected answer 'X' to SSLRequest");
        assertThatThrownBy(() -> a.sslAnswer(-1, false)).hasMessage("the server closed the connection in answer to SSLRequest");
    }

    @Test
    void sslmodePreferTriesAgainWithoutTlsWhenTheLoginOverTlsIsRefused() {
        ConnectPlan plan = plan("hostaddr=127.0.0.1 sslmode=prefer connect_timeout=30");
        Attempt tls = attempt(plan.start());
        tls.opened();
        tls.sslAnswer('S', false);
        tls.secured(null);
        TuskException refused = failWith(tls, new Server().error("28000", "no pg_hba.conf entry for host").bytes());
        assertThat(refused).isInstanceOf(InvalidAuthorizationSpecification.class);
        Attempt plain = attempt(plan.failed(tls, refused));
        assertThat(plain.host()).isEqualTo(tls.host());
        assertThat(plain.deadlineNanos()).isEqualTo(tls.deadlineNanos()).isNotZero(); // one connect_timeout per address
        assertThat(plain.opened()).isEqualTo(Attempt.Next.RUN); // no SSLRequest this time
        TuskException again = failWith(plain, new Server().error("28000", "no pg_hba.conf entry, no encryption").bytes());
        assertThat(gaveUp(plan.failed(plain, again))).isSameAs(again); // one address: its last error, as libpq
    }

    @Test
    void sslmodeAllowTriesAgainWithTlsWhenThePlainLoginIsRefused() {
        ConnectPlan plan = plan("hostaddr=127.0.0.1 sslmode=allow");
        Attempt plain = attempt(plan.start());
        assertThat(plain.opened()).isEqualTo(Attempt.Next.RUN);
        TuskException refused = failWith(plain, new Server().error("28000", "pg_hba.conf rejects: hostssl only").bytes());
        Attempt tls = attempt(plan.failed(plain, refused));
        assertThat(tls.opened()).isEqualTo(Attempt.Next.SSL_REQUEST);
        assertThatThrownBy(() -> tls.sslAnswer('N', false))
                .hasMessage("the server does not support TLS, but sslmode=allow requires it");
    }

    @Test
    void aLoginRefusedUnderSslmodeRequireGoesToTheNextHost() {
        ConnectPlan plan = plan("host=a,b hostaddr=127.0.0.1,127.0.0.2 sslmode=require");
        Attempt a = attempt(plan.start());
        a.opened();
        a.sslAnswer('S', false);
        a.secured(null);
        TuskException refused = failWith(a, new Server().error("28P01", "password authentication failed").bytes());
        Attempt b = attempt(plan.failed(a, refused));
        assertThat(b.host().host()).isEqualTo("b");
    }

    @Test
    void aServerRefusingProtocol32IsAskedAgainWith30AndRemembered() {
        ConnectPlan plan = plan("host=bouncer hostaddr=127.0.0.1 port=6432 sslmode=disable");
        Attempt a = attempt(plan.start());
        a.opened();
        assertThat(protocol(send(a))).isEqualTo(Frontend.PROTOCOL_3_2);
        TuskException refused = failWith(a, new Server().error("08P01", "bad packet header").bytes());
        assertThat(refused).isInstanceOf(ProtocolViolation.class);
        Attempt again = attempt(plan.failed(a, refused));
        again.opened();
        assertThat(protocol(send(again))).isEqualTo(Frontend.PROTOCOL_3_0);
        assertThat(only30).containsExactly("\"bouncer\" (127.0.0.1), port 6432");

        Attempt next = attempt(plan("host=bouncer hostaddr=127.0.0.1 port=6432 sslmode=disable").start());
        next.opened();
        assertThat(protocol(send(next))).isEqualTo(Frontend.PROTOCOL_3_0);
    }

    @Test
    void minProtocolVersion32RefusesTheFallbackAndAServerThatOffersLess() {
        ConnectPlan plan = plan("hostaddr=127.0.0.1 sslmode=disable min_protocol_version=3.2");
        Attempt a = attempt(plan.start());
        a.opened();
        TuskException refused = failWith(a, new Server().error("08P01", "bad packet header").bytes());
        assertThat(gaveUp(plan.failed(a, refused))).isSameAs(refused);
        assertThat(only30).isEmpty();

        Attempt b = attempt(plan("hostaddr=127.0.0.1 sslmode=disable min_protocol_version=3.2").start());
        b.opened();
        TuskException tooOld = failWith(b, new Server().negotiate(0).authOk().keyData().ready().bytes());
        assertThat(tooOld).hasMessage("the server only speaks protocol 3.0, and min_protocol_version=3.2");
    }

    @Test
    void maxProtocolVersion30AsksFor30() {
        Attempt a = attempt(plan("hostaddr=127.0.0.1 sslmode=disable max_protocol_version=3.0").start());
        a.opened();
        assertThat(protocol(send(a))).isEqualTo(Frontend.PROTOCOL_3_0);
    }

    @Test
    void aSessionThatSuitsTargetSessionAttrsIsKept() {
        ConnectPlan plan = plan("hostaddr=127.0.0.1 sslmode=disable target_session_attrs=read-write");
        Attempt a = attempt(plan.start());
        assertThat(startPlain(a, "in_hot_standby", "off", "default_transaction_read_only", "off"))
                .isEqualTo(Attempt.Next.DONE);
        assertThat(plan.finished(a)).isEqualTo(new ConnectPlan.Connected(a));
    }

    @Test
    void parametersTheServerDoesNotReportAreAskedFor() {
        ConnectPlan plan = plan("host=old hostaddr=127.0.0.1 sslmode=disable target_session_attrs=read-write");
        Attempt a = attempt(plan.start());
        assertThat(startPlain(a)).isEqualTo(Attempt.Next.RUN);
        assertThat(new String(send(a), StandardCharsets.UTF_8)).contains("SELECT CASE WHEN pg_is_in_recovery()");
        assertThat(answer(a, new Server().oneValue("off").bytes())).isEqualTo(Attempt.Next.RUN);
        assertThat(new String(send(a), StandardCharsets.UTF_8)).contains("SHOW transaction_read_only");
        assertThat(answer(a, new Server().oneValue("on").bytes())).isEqualTo(Attempt.Next.DONE);
        assertThat(gaveUp(plan.finished(a))).hasMessage("could not connect to any host (1 attempts):\n"
                + "  \"old\" (127.0.0.1), port 5432: session is read-only (target_session_attrs=read-write)");
    }

    @Test
    void aFailedSessionCheckIsNotRetriedOnTheSameAddress() {
        ConnectPlan plan = plan("hostaddr=127.0.0.1 sslmode=prefer target_session_attrs=primary");
        Attempt a = attempt(plan.start());
        a.opened();
        a.sslAnswer('N', false);
        run(a, new Server().authOk().keyData().ready().bytes());
        TuskException denied = failWith(a, new Server().error("42501", "permission denied").ready().bytes());
        // issue 30 item 8: a failure to connect is an OperationalException (psycopg's OperationalError), the server's
        // error (here a ProgrammingException, 42501) kept as its cause with its SQLSTATE; was isSameAs(denied)
        TuskException error = gaveUp(plan.failed(a, denied));
        assertThat(error).isInstanceOf(dev.tusk.errors.OperationalException.class).hasCause(denied)
                .hasMessage(denied.getMessage());
        assertThat(error.sqlstate()).isEqualTo("42501");
    }

    @Test
    void preferStandbyLooksForAStandbyFirstThenTakesAnyServer() {
        ConnectPlan plan = plan("host=p1,p2 hostaddr=127.0.0.1,127.0.0.2 sslmode=disable target_session_attrs=prefer-standby");
        Attempt p1 = attempt(plan.start());
        assertThat(startPlain(p1, "in_hot_standby", "off", "default_transaction_read_only", "off"))
                .isEqualTo(Attempt.Next.DONE);
        Attempt p2 = attempt(plan.finished(p1));
        assertThat(p2.host().host()).isEqualTo("p2");
        startPlain(p2, "in_hot_standby", "off", "default_transaction_read_only", "off");
        Attempt anyP1 = attempt(plan.finished(p2)); // second pass, any server
        assertThat(anyP1.host().host()).isEqualTo("p1");
        assertThat(startPlain(anyP1, "in_hot_standby", "off")).isEqualTo(Attempt.Next.DONE);
        assertThat(plan.finished(anyP1)).isInstanceOf(ConnectPlan.Connected.class);
    }

    @Test
    void eachAddressGetsItsOwnConnectTimeout() throws Exception {
        ConnectPlan plan = plan("host=db sslmode=disable connect_timeout=5");
        HostSpec db = resolve(plan.start());
        long before = System.nanoTime();
        Attempt a = attempt(plan.resolved(db, new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.2")}));
        assertThat(a.deadlineNanos() - before).isBetween(5_000_000_000L, 6_000_000_000L);
        Thread.sleep(5);
        Attempt b = attempt(plan.failed(a, new OperationalException("refused")));
        assertThat(b.deadlineNanos()).isGreaterThan(a.deadlineNanos());
        assertThat(attempt(plan("hostaddr=127.0.0.1 sslmode=disable").start()).deadlineNanos()).isZero();
    }

    /** Backend messages, byte by byte. */
    private static final class Server {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteArrayOutputStream body;

        private Server begin(char type) {
            out.write(type);
            body = new ByteArrayOutputStream();
            return this;
        }

        private Server end() {
            byte[] b = body.toByteArray();
            int len = b.length + 4;
            out.write(len >>> 24);
            out.write(len >>> 16);
            out.write(len >>> 8);
            out.write(len);
            out.writeBytes(b);
            return this;
        }

        private Server i32(int v) {
            body.write(v >>> 24);
            body.write(v >>> 16);
            body.write(v >>> 8);
            body.write(v);
            return this;
        }

        private Server i16(int v) {
            body.write(v >>> 8);
            body.write(v);
            return this;
        }

        private Server str(String s) {
            body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            body.write(0);
            return this;
        }

        Server authOk() {
            return begin('R').i32(0).end();
        }

        Server parameter(String name, String value) {
            return begin('S').str(name).str(value).end();
        }

        Server keyData() {
            return begin('K').i32(4242).i32(0x12345678).end();
        }

        Server ready() {
            begin('Z');
            body.write('I');
            return end();
        }

        Server negotiate(int minor) {
            return begin('v').i32(minor).i32(0).end();
        }

        Server error(String sqlstate, String message) {
            begin('E');
            body.write('S');
            str("FATAL");
            body.write('C');
            str(sqlstate);
            body.write('M');
            str(message);
            body.write(0);
            return end();
        }

        Server oneValue(String value) {
            begin('T').i16(1).str("v").i32(0).i16(0).i32(25).i16(-1).i32(-1).i16(0).end();
            begin('D').i16(1).i32(value.length());
            body.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            end();
            begin('C').str("SELECT 1").end();
            return ready();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
