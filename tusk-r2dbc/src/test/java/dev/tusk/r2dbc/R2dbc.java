package dev.tusk.r2dbc;

import dev.tusk.Conninfo;
import dev.tusk.testing.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import reactor.core.publisher.Mono;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** R2DBC URLs, factories and a JDBC side door (pgjdbc) for the test database. */
final class R2dbc {
    private R2dbc() {
    }

    /** {@code r2dbc:tusk://user[:password]@host:port/db}, for the test database's superuser. */
    static String url(TestDatabase db) {
        Map<String, String> p = Conninfo.parse(db.conninfo());
        String host = db.host().contains(":") ? "[" + db.host() + "]" : db.host();
        StringBuilder url = new StringBuilder("r2dbc:tusk://").append(enc(db.superuser()));
        if (p.get("password") != null) {
            url.append(':').append(enc(p.get("password")));
        }
        return url.append('@').append(host).append(':').append(db.port()).append('/').append(db.dbname()).toString();
    }

    /** The factory found by {@link ConnectionFactories} for {@link #url}. */
    static ConnectionFactory factory(TestDatabase db) {
        return ConnectionFactories.get(url(db));
    }

    static TuskConnection connect(TestDatabase db) {
        return (TuskConnection) Mono.from(factory(db).create()).block(java.time.Duration.ofSeconds(30));
    }

    static void close(Connection c) {
        Mono.from(c.close()).block(java.time.Duration.ofSeconds(30));
    }

    /** Spring's JdbcTemplate on pgjdbc: set-up and checks that do not go through the driver under test. */
    static JdbcTemplate jdbc(TestDatabase db) {
        Map<String, String> p = Conninfo.parse(db.conninfo());
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {db.host()});
        ds.setPortNumbers(new int[] {db.port()});
        ds.setDatabaseName(db.dbname());
        ds.setUser(db.superuser());
        if (p.get("password") != null) {
            ds.setPassword(p.get("password"));
        }
        return new JdbcTemplate(ds);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
