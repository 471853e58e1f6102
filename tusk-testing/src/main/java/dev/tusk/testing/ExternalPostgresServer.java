package dev.tusk.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server named by {@code TUSK_TEST_DSN}: used as it is. The harness creates its password roles there (or
 * resets their passwords) but cannot choose their pg_hba.conf methods, nor stop, start or reconfigure the server.
 */
final class ExternalPostgresServer extends AbstractServer {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Map<String, String> extra = new LinkedHashMap<>();

    ExternalPostgresServer(String dsn) {
        Map<String, String> params = new LinkedHashMap<>(Conninfo.parse(dsn));
        String h = params.remove("host");
        String hostaddr = params.remove("hostaddr");
        this.host = h != null ? h : hostaddr != null ? hostaddr : "127.0.0.1";
        String p = params.remove("port");
        this.port = p != null ? Integer.parseInt(p.split(",")[0]) : 5432;
        String u = params.remove("user");
        this.user = u != null ? u : System.getProperty("user.name");
        this.password = params.remove("password");
        params.remove("dbname");
        extra.putAll(params);
        admin(PasswordRoles.setupSql(version()));
    }

    @Override
    public boolean isEmbedded() {
        return false;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return user;
    }

    @Override
    String superuserPassword() {
        return password;
    }

    @Override
    Map<String, String> extraParameters() {
        return extra;
    }

    @Override
    void prepareDatabase(TestDatabase database) {
        if (version() >= 150000) {
            database.admin(PasswordRoles.grantSql());
        }
    }

    @Override
    public boolean isRunning() {
        return true;
    }

    @Override
    public void reloadConfig() {
        admin("SELECT pg_reload_conf()");
    }

    @Override
    public void stop(StopMode mode) {
        throw needsEmbedded("stop()");
    }

    @Override
    public void start() {
        throw needsEmbedded("start()");
    }

    @Override
    public void appendConfig(String line) {
        throw needsEmbedded("appendConfig()");
    }

    @Override
    public void appendHba(String line) {
        throw needsEmbedded("appendHba()");
    }

    @Override
    public Path logFile() {
        throw needsEmbedded("logFile()");
    }

    @Override
    public Path unixSocketDirectory() {
        if (host.startsWith("/")) {
            return Path.of(host);
        }
        throw needsEmbedded("unixSocketDirectory()");
    }

    @Override
    public Path dataDirectory() {
        throw needsEmbedded("dataDirectory()");
    }

    @Override
    public String toString() {
        return "PostgreSQL from TUSK_TEST_DSN at " + host + ":" + port;
    }

    private static UnsupportedOperationException needsEmbedded(String what) {
        return new UnsupportedOperationException(what + " needs the embedded server, but TUSK_TEST_DSN points the tests"
                + " at an existing one; guard the test with assumeTrue(server.isEmbedded()) or unset TUSK_TEST_DSN");
    }
}
