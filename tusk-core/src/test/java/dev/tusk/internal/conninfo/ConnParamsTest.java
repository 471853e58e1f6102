package dev.tusk.internal.conninfo;

import dev.tusk.Conninfo;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnParamsTest {
    @TempDir
    Path home;

    private final Map<String, String> vars = new HashMap<>();

    private Environment env() {
        return Environment.of(vars, home, "osuser").withSocketDirs(List.of(home.resolve("nosockets")))
                .withSysconfDir(home.resolve("etc"));
    }

    private ConnParams resolve(String conninfo) {
        return ConnParams.resolve(Conninfo.parse(conninfo), env());
    }

    @Test
    void defaultsFollowLibpq() {
        ConnParams p = resolve("");
        assertThat(p.user()).isEqualTo("osuser");
        assertThat(p.dbname()).isEqualTo("osuser");
        assertThat(p.sslmode()).isEqualTo("prefer");
        assertThat(p.hosts()).containsExactly(new HostSpec("localhost", null, 5432));
        assertThat(p.get("port")).isEqualTo("5432");
        assertThat(p.get("host")).isEqualTo("localhost");
        assertThat(p.get("target_session_attrs")).isEqualTo("any");
        assertThat(p.get("channel_binding")).isEqualTo("prefer");
        assertThat(p.get("require_auth")).isNull();
        assertThat(p.get("ssl_min_protocol_version")).isEqualTo("TLSv1.2");
        assertThat(p.connectTimeout()).isNull();
        assertThat(p.applicationName()).isNull();
        assertThat(p.options()).isNull();
        assertThat(p.dsn()).isEmpty();
    }

    @Test
    void emptyUserAndDbnameFallBackToTheDefaults() {
        ConnParams p = resolve("user='' dbname=''");
        assertThat(p.user()).isEqualTo("osuser");
        assertThat(p.dbname()).isEqualTo("osuser");
        assertThat(resolve("user=alice").dbname()).isEqualTo("alice");
    }

    @Test
    void defaultHostIsASocketDirectoryWhereTheServerListens() throws IOException {
        Path sockets = Files.createDirectory(home.resolve("run"));
        Files.createFile(sockets.resolve(".s.PGSQL.5433"));
        Environment env = env().withSocketDirs(List.of(home.resolve("absent"), sockets));
        assertThat(ConnParams.resolve(Map.of("port", "5433"), env).hosts())
                .containsExactly(new HostSpec(sockets.toString(), null, 5433));
        assertThat(ConnParams.resolve(Map.of("port", "5433"), env).hosts().get(0).isUnixSocket()).isTrue();
        assertThat(ConnParams.resolve(Map.of("port", "5434"), env).hosts())
                .containsExactly(new HostSpec("localhost", null, 5434));
    }

    @Test
    void environmentVariablesFillWhatTheStringLeavesOut() {
        vars.put("PGHOST", "envhost");
        vars.put("PGPORT", "6543");
        vars.put("PGDATABASE", "envdb");
        vars.put("PGUSER", "envuser");
        vars.put("PGPASSWORD", "envpw");
        vars.put("PGSSLMODE", "require");
        vars.put("PGCONNECT_TIMEOUT", "7");
        vars.put("PGAPPNAME", "envapp");
        vars.put("PGOPTIONS", "-c geqo=off");
        vars.put("PGTARGETSESSIONATTRS", "read-write");
        vars.put("PGCHANNELBINDING", "require");
        vars.put("PGREQUIREAUTH", "scram-sha-256");
        vars.put("PGLOADBALANCEHOSTS", "random");
        vars.put("PGSSLNEGOTIATION", "direct");
        vars.put("PGCLIENTENCODING", "utf-8");
        ConnParams p = resolve("dbname=explicit");
        assertThat(p.dbname()).isEqualTo("explicit");
        assertThat(p.user()).isEqualTo("envuser");
        assertThat(p.hosts()).containsExactly(new HostSpec("envhost", null, 6543));
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("envpw");
        assertThat(p.sslmode()).isEqualTo("require");
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(p.applicationName()).isEqualTo("envapp");
        assertThat(p.options()).isEqualTo("-c geqo=off");
        assertThat(p.get("target_session_attrs")).isEqualTo("read-write");
        assertThat(p.get("channel_binding")).isEqualTo("require");
        assertThat(p.get("require_auth")).isEqualTo("scram-sha-256");
        assertThat(p.get("load_balance_hosts")).isEqualTo("random");
        assertThat(p.get("client_encoding")).isEqualTo("utf-8");
        assertThat(p.dsn()).contains("dbname=explicit", "user=envuser", "host=envhost", "options='-c geqo=off'")
                .doesNotContain("envpw");
    }

    // trust #10: Tusk speaks UTF-8 only; another encoding from the environment is refused, not silently replaced
    @Test
    void aNonUtf8ClientEncodingFromTheEnvironmentIsRefused() {
        vars.put("PGCLIENTENCODING", "LATIN1");
        assertThatThrownBy(() -> resolve("dbname=explicit")).isInstanceOf(dev.tusk.errors.NotSupportedException.class)
                .hasMessageContaining("PGCLIENTENCODING").hasMessageContaining("\"LATIN1\"")
                .hasMessageContaining("Tusk speaks UTF-8 only");
        vars.put("PGCLIENTENCODING", "auto");
        assertThat(resolve("dbname=explicit").get("client_encoding")).isEqualTo("auto");
        vars.remove("PGCLIENTENCODING");
        vars.put("PGOPTIONS", "-c geqo=off -c client_encoding=SJIS");
        assertThatThrownBy(() -> resolve("dbname=explicit")).isInstanceOf(dev.tusk.errors.NotSupportedException.class)
                .hasMessageContaining("\"SJIS\"");
    }

    @Test
    void anEmptyExplicitValueStillBeatsTheEnvironment() {
        vars.put("PGAPPNAME", "envapp");
        assertThat(resolve("application_name=''").get("application_name")).isEmpty();
        assertThat(resolve("application_name=''").applicationName()).isNull();
    }

    @Test
    void badEnvironmentValuesAreRejectedNamingTheKeyword() {
        vars.put("PGSSLMODE", "sometimes");
        assertThatThrownBy(() -> resolve("")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("invalid sslmode value: \"sometimes\"");
        vars.clear();
        vars.put("PGPORT", "five");
        assertThatThrownBy(() -> resolve("")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("\"five\" for connection option \"port\"");
    }

    @Test
    void explicitMapsAreCheckedToo() {
        assertThatThrownBy(() -> ConnParams.resolve(Map.of("hots", "x"), env()))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("did you mean \"host\"?");
        assertThatThrownBy(() -> ConnParams.resolve(Map.of("connect_timeout", "ten"), env()))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("connect_timeout");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("dbname", null);
        assertThat(ConnParams.resolve(withNull, env()).dbname()).isEqualTo("osuser");
    }

    @Test
    void connectTimeoutFollowsLibpq() {
        assertThat(resolve("connect_timeout=0").connectTimeout()).isNull();
        assertThat(resolve("connect_timeout=-5").connectTimeout()).isNull();
        assertThat(resolve("connect_timeout=1").connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(resolve("connect_timeout=2").connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(resolve("connect_timeout=30").connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void applicationNameFallsBack() {
        assertThat(resolve("fallback_application_name=fb").applicationName()).isEqualTo("fb");
        assertThat(resolve("application_name=app fallback_application_name=fb").applicationName()).isEqualTo("app");
    }

    @Test
    void multipleHostsWithOnePortOrOnePerHost() {
        assertThat(resolve("host=a,b,c port=5432,5433,5434").hosts()).containsExactly(
                new HostSpec("a", null, 5432), new HostSpec("b", null, 5433), new HostSpec("c", null, 5434));
        assertThat(resolve("host=a,b port=6000").hosts()).containsExactly(
                new HostSpec("a", null, 6000), new HostSpec("b", null, 6000));
        assertThat(resolve("host=a,,/tmp port=1,,3").hosts()).containsExactly(
                new HostSpec("a", null, 1), new HostSpec("localhost", null, 5432), new HostSpec("/tmp", null, 3));
        assertThat(Conninfo.parse("postgresql://h1,h2:6/db")).containsEntry("port", ",6");
        assertThat(ConnParams.resolve(Conninfo.parse("postgresql://h1,h2:6/db"), env()).hosts()).containsExactly(
                new HostSpec("h1", null, 5432), new HostSpec("h2", null, 6));
    }

    @Test
    void mismatchedPortListsAreRejected() {
        assertThatThrownBy(() -> resolve("host=a,b,c port=1,2")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("could not match 2 port numbers to 3 hosts");
        assertThatThrownBy(() -> resolve("host=a port=1,2")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("could not match 2 port numbers to 1 hosts");
    }

    @Test
    void hostaddrListsPairWithHosts() {
        assertThat(resolve("host=a,b hostaddr=10.0.0.1,10.0.0.2 port=5").hosts()).containsExactly(
                new HostSpec("a", "10.0.0.1", 5), new HostSpec("b", "10.0.0.2", 5));
        assertThat(resolve("hostaddr=127.0.0.1,::1").hosts()).containsExactly(
                new HostSpec("127.0.0.1", "127.0.0.1", 5432), new HostSpec("::1", "::1", 5432));
        assertThat(resolve("host=a,b hostaddr=10.0.0.1,").hosts()).containsExactly(
                new HostSpec("a", "10.0.0.1", 5432), new HostSpec("b", null, 5432));
        assertThat(resolve("host=/tmp hostaddr=10.0.0.1").hosts().get(0).isUnixSocket()).isFalse();
        assertThatThrownBy(() -> resolve("host=a,b,c hostaddr=10.0.0.1,10.0.0.2"))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("could not match 3 host names to 2 hostaddr values");
    }

    @Test
    void unixSocketHosts() {
        HostSpec h = resolve("host=/var/run/postgresql port=5433").hosts().get(0);
        assertThat(h.isUnixSocket()).isTrue();
        assertThat(h.socketPath()).isEqualTo(Path.of("/var/run/postgresql/.s.PGSQL.5433"));
        assertThat(resolve("host=localhost").hosts().get(0).isUnixSocket()).isFalse();
        assertThatThrownBy(() -> resolve("host=@abstract")).isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("abstract unix sockets");
    }

    @Test
    void crossKeywordRules() {
        assertThatThrownBy(() -> resolve("sslnegotiation=direct")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("weak sslmode \"prefer\" may not be used with sslnegotiation=direct");
        assertThat(resolve("sslnegotiation=direct sslmode=require").get("sslnegotiation")).isEqualTo("direct");
        assertThat(resolve("sslrootcert=system").sslmode()).isEqualTo("verify-full");
        assertThatThrownBy(() -> resolve("sslrootcert=system sslmode=require"))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("weak sslmode \"require\" may not be used with sslrootcert=system");
        assertThatThrownBy(() -> resolve("ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2"))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("invalid SSL protocol version range");
        assertThatThrownBy(() -> resolve("min_protocol_version=3.2 max_protocol_version=3.0"))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("min_protocol_version 3.2 cannot be greater than max_protocol_version 3.0");
    }

    @Test
    void getWorksForEveryKeywordAndRejectsOthers() {
        ConnParams p = resolve("require_auth=!password channel_binding=disable keepalives=0");
        assertThat(p.get("require_auth")).isEqualTo("!password");
        assertThat(p.get("channel_binding")).isEqualTo("disable");
        assertThat(p.get("keepalives")).isEqualTo("0");
        for (String k : Keywords.all().keySet()) {
            p.get(k);
        }
        assertThatThrownBy(() -> p.get("colour")).isInstanceOf(ProgrammingException.class);
    }

    @Test
    void asMapHoldsEffectiveValuesInLibpqOrderAndDsnHidesThePassword() {
        ConnParams p = resolve("password=pw dbname=d host=h user=u");
        assertThat(p.asMap()).containsEntry("password", "pw").containsEntry("port", "5432");
        assertThat(p.asMap().keySet()).startsWith("user", "password");
        assertThat(p.dsn()).isEqualTo("user=u dbname=d host=h");
        assertThat(p.nonDefaults()).doesNotContainKey("password");
        assertThatThrownBy(() -> p.asMap().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- service file ----

    private Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    @Test
    void serviceFromTheUserServiceFile() throws IOException {
        write(home.resolve(".pg_service.conf"), """
                # comment
                [other]
                host=wrong

                [mydb]
                host=svchost
                port=6432
                dbname=svcdb
                user=svcuser
                application_name=has spaces = and equals
                """);
        ConnParams p = resolve("service=mydb user=explicit");
        assertThat(p.hosts()).containsExactly(new HostSpec("svchost", null, 6432));
        assertThat(p.dbname()).isEqualTo("svcdb");
        assertThat(p.user()).isEqualTo("explicit");
        assertThat(p.applicationName()).isEqualTo("has spaces = and equals");
    }

    @Test
    void serviceBeatsEnvironmentVariables() throws IOException {
        write(home.resolve(".pg_service.conf"), "[s]\nhost=svchost\n");
        vars.put("PGHOST", "envhost");
        vars.put("PGPORT", "7777");
        ConnParams p = resolve("service=s");
        assertThat(p.hosts()).containsExactly(new HostSpec("svchost", null, 7777));
    }

    @Test
    void serviceNamedByPgserviceInAFileNamedByPgservicefile() throws IOException {
        Path file = write(home.resolve("conf/services.conf"), "[fromenv]\ndbname=envsvc\n");
        vars.put("PGSERVICE", "fromenv");
        vars.put("PGSERVICEFILE", file.toString());
        assertThat(resolve("").dbname()).isEqualTo("envsvc");
        assertThat(resolve("").get("service")).isEqualTo("fromenv");
    }

    @Test
    void serviceFromTheSystemFileWhenTheUserFileLacksIt() throws IOException {
        write(home.resolve(".pg_service.conf"), "[a]\ndbname=user_a\n");
        write(home.resolve("etc/pg_service.conf"), "[a]\ndbname=system_a\n[b]\ndbname=system_b\n");
        assertThat(resolve("service=a").dbname()).isEqualTo("user_a");
        assertThat(resolve("service=b").dbname()).isEqualTo("system_b");
        Path sysconf = home.resolve("sysconf");
        write(sysconf.resolve("pg_service.conf"), "[c]\ndbname=pgsysconfdir_c\n");
        vars.put("PGSYSCONFDIR", sysconf.toString());
        assertThat(resolve("service=c").dbname()).isEqualTo("pgsysconfdir_c");
    }

    @Test
    void unknownServiceIsAnError() throws IOException {
        write(home.resolve(".pg_service.conf"), "[a]\ndbname=x\n");
        assertThatThrownBy(() -> resolve("service=nope")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("definition of service \"nope\" not found");
    }

    @Test
    void serviceFileErrors() throws IOException {
        Path f = write(home.resolve(".pg_service.conf"), "[a]\nhost\n");
        assertThatThrownBy(() -> resolve("service=a")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("syntax error in service file \"" + f + "\", line 2");
        write(f, "[a]\nservice=b\n");
        assertThatThrownBy(() -> resolve("service=a")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("nested service specifications not supported");
        write(f, "[a]\nhots=x\n");
        assertThatThrownBy(() -> resolve("service=a")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("line 2: unknown keyword \"hots\"; did you mean \"host\"?");
        write(f, "[a]\nsslmode=sometimes\n");
        assertThatThrownBy(() -> resolve("service=a")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("invalid sslmode value: \"sometimes\"");
    }

    // ---- password file ----

    private Path pgpass(String text) throws IOException {
        Path f = write(home.resolve(".pgpass"), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void passwordFromThePasswordFilePerHost() throws IOException {
        pgpass("""
                a:5432:db:u:pw_a
                b:*:db:u:pw_b
                """);
        ConnParams p = resolve("host=a,b,c dbname=db user=u");
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("pw_a");
        assertThat(p.passwordFor(p.hosts().get(1))).isEqualTo("pw_b");
        assertThat(p.passwordFor(p.hosts().get(2))).isNull();
    }

    @Test
    void explicitPasswordBeatsThePasswordFile() throws IOException {
        pgpass("*:*:*:*:fromfile\n");
        ConnParams p = resolve("password=explicit");
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("explicit");
        ConnParams empty = resolve("password=''");
        assertThat(empty.passwordFor(empty.hosts().get(0))).isEqualTo("fromfile");
    }

    @Test
    void passfileKeywordAndPgpassfileChooseTheFile() throws IOException {
        Path other = home.resolve("elsewhere.pgpass");
        Files.writeString(other, "*:*:*:*:other\n");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        ConnParams p = resolve("passfile=" + other);
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("other");
        vars.put("PGPASSFILE", other.toString());
        ConnParams q = resolve("");
        assertThat(q.passwordFor(q.hosts().get(0))).isEqualTo("other");
    }

    @Test
    void localhostMatchesTheDefaultSocketDirectories() throws IOException {
        pgpass("localhost:5432:*:*:local\n/custom/dir:5432:*:*:custom\n");
        Path sockets = Files.createDirectory(home.resolve("run"));
        Environment env = env().withSocketDirs(List.of(sockets));
        ConnParams p = ConnParams.resolve(Map.of("host", sockets.toString()), env);
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("local");
        ConnParams custom = ConnParams.resolve(Map.of("host", "/custom/dir"), env);
        assertThat(custom.passwordFor(custom.hosts().get(0))).isEqualTo("custom");
        ConnParams byAddr = ConnParams.resolve(Map.of("hostaddr", "127.0.0.1"), env);
        assertThat(byAddr.passwordFor(byAddr.hosts().get(0))).isNull();
    }

    @Test
    void hostaddrIsTheKeyWhenNoHostIsGiven() throws IOException {
        pgpass("127.0.0.1:*:*:*:byaddr\nname:*:*:*:byname\n");
        ConnParams p = resolve("hostaddr=127.0.0.1");
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("byaddr");
        ConnParams q = resolve("host=name hostaddr=127.0.0.1");
        assertThat(q.passwordFor(q.hosts().get(0))).isEqualTo("byname");
    }

    @Test
    void connectionOrderShufflesOnlyWithLoadBalanceHostsRandom() {
        ConnParams inOrder = resolve("host=a,b,c,d,e,f,g,h");
        assertThat(inOrder.connectionOrder()).isEqualTo(inOrder.hosts());
        ConnParams random = resolve("host=a,b,c,d,e,f,g,h load_balance_hosts=random");
        java.util.Set<List<HostSpec>> orders = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            List<HostSpec> order = random.connectionOrder();
            assertThat(order).containsExactlyInAnyOrderElementsOf(random.hosts());
            orders.add(order);
        }
        assertThat(orders).hasSizeGreaterThan(1);
    }
}
