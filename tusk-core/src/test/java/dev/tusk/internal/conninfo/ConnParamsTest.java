package dev.tusk.internal.conninfo;

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

    private final Environment env = new Environment() {
        @Override
        public String getenv(String name) {
            return vars.get(name);
        }

        @Override
        public Path home() {
            return home;
        }
    };

    private ConnParams resolve(String conninfo) {
        return ConnParams.resolve(ConninfoParser.parse(conninfo), env);
    }

    @Test
    void explicitBeatsServiceBeatsEnvironmentBeatsDefaults() throws IOException {
        Files.writeString(home.resolve(".pg_service.conf"), """
                # comment
                [other]
                dbname=wrong
                [billing]
                host=svc-host
                dbname=svc-db
                port = 6000
                """);
        vars.put("PGSERVICE", "billing");
        vars.put("PGHOST", "env-host");
        vars.put("PGUSER", "env-user");
        vars.put("PGAPPNAME", "env-app");
        ConnParams p = resolve("port=7000");
        assertThat(p.hosts()).containsExactly(new HostSpec("svc-host", null, 7000));
        assertThat(p.dbname()).isEqualTo("svc-db");
        assertThat(p.user()).isEqualTo("env-user");
        assertThat(p.applicationName()).isEqualTo("env-app");
        assertThat(p.sslmode()).isEqualTo("prefer");
        assertThat(p.dsn()).contains("host=svc-host").contains("user=env-user");
    }

    @Test
    void defaultsWhenNothingIsSet() {
        ConnParams p = resolve("");
        assertThat(p.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(p.dbname()).isEqualTo(p.user());
        assertThat(p.hosts()).hasSize(1);
        assertThat(p.hosts().get(0).port()).isEqualTo(5432);
        assertThat(p.connectTimeout()).isNull();
        assertThat(resolve("connect_timeout=1").connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(resolve("connect_timeout=0").connectTimeout()).isNull();
        assertThat(resolve("fallback_application_name=fb").applicationName()).isEqualTo("fb");
    }

    @Test
    void anUnknownServiceIsAnError() {
        assertThatThrownBy(() -> resolve("service=nope")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("service \"nope\" not found");
    }

    @Test
    void multipleHostsAndPorts() {
        assertThat(resolve("host=a,b,/sock port=1,2,3").hosts())
                .containsExactly(new HostSpec("a", null, 1), new HostSpec("b", null, 2), new HostSpec("/sock", null, 3));
        assertThat(resolve("host=a,b port=9").hosts()).extracting(HostSpec::port).containsExactly(9, 9);
        assertThat(resolve("hostaddr=10.0.0.1,10.0.0.2").hosts())
                .containsExactly(new HostSpec("10.0.0.1", "10.0.0.1", 5432), new HostSpec("10.0.0.2", "10.0.0.2", 5432));
        assertThat(resolve("host=a,b port=1,").hosts()).extracting(HostSpec::port).containsExactly(1, 5432);
        assertThatThrownBy(() -> resolve("host=a,b,c port=1,2")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("2 port numbers to 3 hosts");
        assertThatThrownBy(() -> resolve("host=a,b hostaddr=1.2.3.4")).hasMessageContaining("2 host names to 1 hostaddr");
    }

    @Test
    void badValuesAreRefusedBeforeConnecting() {
        assertThatThrownBy(() -> resolve("sslmode=requir")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("sslmode").hasMessageContaining("requir").hasMessageContaining("verify-full");
        assertThatThrownBy(() -> resolve("port=abc")).hasMessageContaining("abc");
        assertThatThrownBy(() -> resolve("port=70000")).hasMessageContaining("70000");
        assertThatThrownBy(() -> resolve("connect_timeout=ten")).hasMessageContaining("connect_timeout");
        assertThatThrownBy(() -> resolve("target_session_attrs=master")).hasMessageContaining("prefer-standby");
        assertThatThrownBy(() -> resolve("require_auth=md5,!password")).hasMessageContaining("mixes");
        assertThatThrownBy(() -> resolve("require_auth=kerberos")).hasMessageContaining("kerberos");
        assertThatThrownBy(() -> resolve("channel_binding=always")).hasMessageContaining("channel_binding");
        vars.put("PGSSLMODE", "bogus");
        assertThatThrownBy(() -> resolve("")).as("environment values are checked too").hasMessageContaining("bogus");
    }

    @Test
    void unknownKeywordsFromOptionsAreRefused() {
        assertThatThrownBy(() -> ConnParams.resolve(Map.of("hots", "x"), env)).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("did you mean \"host\"");
    }

    @Test
    void passwordFileWithWildcardsEscapesAndFirstMatch() throws IOException {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, """
                # host:port:db:user:password
                other:*:*:*:not-this
                db\\:1:5432:app:me:first\\:colon\\\\back
                *:*:*:me:fallback
                localhost:5432:*:sock:socket-pw
                """);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        ConnParams p = resolve("host=db:1 dbname=app user=me");
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("first:colon\\back");
        ConnParams q = resolve("host=elsewhere dbname=x user=me");
        assertThat(q.passwordFor(q.hosts().get(0))).isEqualTo("fallback");
        ConnParams s = resolve("host=/var/run/postgresql user=sock");
        assertThat(s.passwordFor(s.hosts().get(0))).as("a unix socket matches localhost").isEqualTo("socket-pw");
        ConnParams explicit = resolve("host=db:1 dbname=app user=me password=given");
        assertThat(explicit.passwordFor(explicit.hosts().get(0))).isEqualTo("given");
        ConnParams none = resolve("host=db dbname=app user=nobody");
        assertThat(none.passwordFor(none.hosts().get(0))).isNull();
    }

    @Test
    void aPasswordFileOthersCanReadIsIgnored() throws IOException {
        Path pgpass = home.resolve("custom-pgpass");
        Files.writeString(pgpass, "*:*:*:*:secret\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
        vars.put("PGPASSFILE", pgpass.toString());
        ConnParams p = resolve("host=h user=u");
        assertThat(p.passwordFor(p.hosts().get(0))).isNull();
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        assertThat(p.passwordFor(p.hosts().get(0))).isEqualTo("secret");
    }

    @Test
    void passFileFieldSplitting() {
        assertThat(PassFile.split("a:b:c:d:e:f")).containsExactly("a", "b", "c", "d", "e:f");
        assertThat(PassFile.lookup(List.of("h:1:d:u"), "h", "1", "d", "u")).as("too few fields").isNull();
    }

    @Test
    void theDsnNeverShowsThePassword() {
        assertThat(resolve("host=h password=hunter2 user=u").dsn()).doesNotContain("hunter2").contains("user=u");
    }
}
