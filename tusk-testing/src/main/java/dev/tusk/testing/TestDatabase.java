package dev.tusk.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fresh database made for one test (from {@code template1}) and dropped after it, with the connection strings
 * and credentials to reach it. {@link PostgresExtension} hands one to each test method that declares a parameter
 * of this type.
 *
 * <pre>{@code
 * @TuskTest
 * class InsertTest {
 *     @Test void insertsRows(TestDatabase db) {
 *         db.admin("CREATE TABLE t (id int)");                 // setup through the harness
 *         try (Connection<Row> conn = Connection.connect(db.conninfo())) {
 *             conn.execute("INSERT INTO t VALUES (1)");
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Three roles authenticate with passwords, one per pg_hba.conf method (on the embedded server; a
 * {@code TUSK_TEST_DSN} server keeps its own rules): {@link #scramUser()} (scram-sha-256), {@link #md5User()}
 * (md5, with an md5-hashed password) and {@link #cleartextUser()} ({@code password}). Every other role is
 * trusted, the superuser included.
 */
public final class TestDatabase implements AutoCloseable {

    private final AbstractServer server;
    private final String dbname;
    private final AtomicBoolean dropped = new AtomicBoolean();

    TestDatabase(AbstractServer server, String dbname) {
        this.server = server;
        this.dbname = dbname;
    }

    /** {@code host=127.0.0.1 port=N dbname=D user=postgres}: the superuser over TCP (no password when trusted). */
    public String conninfo() {
        return server.conninfo(dbname);
    }

    /** {@link #conninfo()} as a {@code postgresql://} URI. */
    public String uri() {
        Map<String, String> params = server.parameters(host(), dbname, superuser(), server.superuserPassword());
        StringBuilder uri = new StringBuilder("postgresql://").append(encode(params.remove("user")));
        String password = params.remove("password");
        if (password != null) {
            uri.append(':').append(encode(password));
        }
        String host = params.remove("host");
        uri.append('@').append(host.contains(":") ? "[" + host + "]" : host).append(':').append(params.remove("port"));
        uri.append('/').append(encode(params.remove("dbname")));
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            uri.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = '&';
        }
        return uri.toString();
    }

    /** A libpq {@code key=value} string to this database as {@code user}, with {@code password} if not null. */
    public String conninfo(String user, String password) {
        return Conninfo.format(server.parameters(host(), dbname, user, password));
    }

    /** The superuser through the server's unix-domain socket: {@code host=<socket directory> port=N ...}. */
    public String unixSocketConninfo() {
        return Conninfo.format(server.parameters(server.unixSocketDirectory().toString(), dbname, superuser(),
                server.superuserPassword()));
    }

    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    /** The database name, readable from the test name, e.g. {@code t_mytest_works_4242_7}. */
    public String dbname() {
        return dbname;
    }

    public String superuser() {
        return server.superuser();
    }

    /** A role that must authenticate with scram-sha-256. */
    public String scramUser() {
        return PasswordRoles.SCRAM_USER;
    }

    public String scramPassword() {
        return PasswordRoles.SCRAM_PASSWORD;
    }

    /** A role that must authenticate with md5 (its password is stored md5-hashed). */
    public String md5User() {
        return PasswordRoles.MD5_USER;
    }

    public String md5Password() {
        return PasswordRoles.MD5_PASSWORD;
    }

    /** A role that must send its password in clear text (pg_hba.conf method {@code password}). */
    public String cleartextUser() {
        return PasswordRoles.CLEARTEXT_USER;
    }

    public String cleartextPassword() {
        return PasswordRoles.CLEARTEXT_PASSWORD;
    }

    /** Runs {@code sql} (one or more statements) as the superuser in this database, through pgjdbc: for setup. */
    public void admin(String sql) {
        Connection connection = server.openConnection(dbname);
        try {
            Jdbc.execute(connection, sql);
        } finally {
            Jdbc.closeQuietly(connection);
        }
    }

    /**
     * Runs {@code sql} as the superuser in this database, through pgjdbc, and returns the first column of the
     * first row as text (null if no row): for checking server-side state independently of the code under test.
     */
    public String adminQuery(String sql) {
        Connection connection = server.openConnection(dbname);
        try {
            return Jdbc.queryValue(connection, sql);
        } finally {
            Jdbc.closeQuietly(connection);
        }
    }

    public PostgresServer server() {
        return server;
    }

    /** Drops the database, terminating any session still connected to it. */
    @Override
    public void close() {
        if (dropped.compareAndSet(false, true)) {
            server.dropDatabase(dbname);
        }
    }

    @Override
    public String toString() {
        return "test database " + dbname + " on " + server;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
