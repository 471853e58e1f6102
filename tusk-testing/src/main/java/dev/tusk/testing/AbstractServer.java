package dev.tusk.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/** What embedded and external servers share: the admin connection, test databases and connection strings. */
abstract class AbstractServer implements PostgresServer {

    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid();

    private final ReentrantLock adminLock = new ReentrantLock();
    private Connection adminConnection;
    private volatile int version;
    private volatile DatabasePool pool;

    /** The superuser's password, or null when the server trusts it. */
    abstract String superuserPassword();

    /** libpq parameters every connection string carries besides host, port, dbname, user and password. */
    Map<String, String> extraParameters() {
        return Map.of();
    }

    /** Called once a database has been created, e.g. to grant the password roles rights in it. */
    void prepareDatabase(TestDatabase database) {
    }

    @Override
    public int version() {
        int v = version;
        if (v == 0) {
            v = Integer.parseInt(withAdmin(c -> Jdbc.queryValue(c, "SHOW server_version_num")));
            version = v;
        }
        return v;
    }

    @Override
    public String conninfo(String dbname) {
        return Conninfo.format(parameters(host(), dbname, superuser(), superuserPassword()));
    }

    Map<String, String> parameters(String host, String dbname, String user, String password) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("host", host);
        params.put("port", Integer.toString(port()));
        params.put("dbname", dbname);
        params.put("user", user);
        if (password != null) {
            params.put("password", password);
        }
        params.putAll(extraParameters());
        return params;
    }

    /** Creates databases ahead of time; call once the server is ready. {@code size} 0 turns pooling off. */
    void enableDatabasePool(int size) {
        if (size > 0) {
            pool = new DatabasePool(this, size);
            pool.refill();
        }
    }

    /** Stops the pool and drops the databases it had ready. */
    void disableDatabasePool() {
        DatabasePool p = pool;
        pool = null;
        if (p != null) {
            for (String name : p.shutdown()) {
                try {
                    dropDatabase(name);
                } catch (RuntimeException e) {
                    System.err.println("[tusk-testing] could not drop pooled database " + name + ": " + e.getMessage());
                }
            }
        }
    }

    String createDatabaseSql(String name) {
        String strategy = version() >= 150000 ? " STRATEGY FILE_COPY" : "";
        return "CREATE DATABASE " + quoteIdent(name) + " TEMPLATE template1" + strategy;
    }

    @Override
    public TestDatabase createDatabase(String label) {
        String name = DatabaseNames.unique(label, PID, DATABASE_COUNTER.incrementAndGet());
        DatabasePool p = pool;
        String pooled = p != null ? p.poll() : null;
        if (pooled == null || !renamed(pooled, name)) {
            admin(createDatabaseSql(name));
        }
        TestDatabase database = new TestDatabase(this, name);
        try {
            prepareDatabase(database);
        } catch (RuntimeException e) {
            dropDatabase(name);
            throw e;
        }
        return database;
    }

    private boolean renamed(String pooled, String name) {
        try {
            admin("ALTER DATABASE " + quoteIdent(pooled) + " RENAME TO " + quoteIdent(name));
            return true;
        } catch (RuntimeException e) {
            return false; // e.g. a test dropped the pooled database: create one the slow way
        }
    }

    void dropDatabase(String name) {
        if (isRunning()) {
            admin("DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)");
        }
    }

    @Override
    public void admin(String sql) {
        withAdmin(c -> {
            Jdbc.execute(c, sql);
            return null;
        });
    }

    /** Runs {@code work} on the shared superuser connection to the {@code postgres} database, reconnecting if needed. */
    <T> T withAdmin(Function<Connection, T> work) {
        adminLock.lock();
        try {
            if (adminConnection == null || !isValid(adminConnection)) {
                Jdbc.closeQuietly(adminConnection);
                adminConnection = openConnection("postgres");
            }
            return work.apply(adminConnection);
        } finally {
            adminLock.unlock();
        }
    }

    /** Drops the shared admin connection, e.g. before the server stops. */
    void closeAdminConnection() {
        adminLock.lock();
        try {
            Jdbc.closeQuietly(adminConnection);
            adminConnection = null;
        } finally {
            adminLock.unlock();
        }
    }

    Connection openConnection(String dbname) {
        return Jdbc.connect(host(), port(), dbname, superuser(), superuserPassword(), extraParameters());
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static boolean isValid(Connection connection) {
        try {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }
}
