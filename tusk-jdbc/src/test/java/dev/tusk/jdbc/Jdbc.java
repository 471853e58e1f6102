package dev.tusk.jdbc;

import dev.tusk.Conninfo;
import dev.tusk.testing.TestDatabase;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** JDBC URLs and DataSources for the test database. */
final class Jdbc {
    private Jdbc() {
    }

    /** {@code jdbc:tusk:postgresql://host:port/db?user=...}, for the test database's superuser. */
    static String url(TestDatabase db) {
        Map<String, String> p = Conninfo.parse(db.conninfo());
        String host = db.host().contains(":") ? "[" + db.host() + "]" : db.host();
        StringBuilder url = new StringBuilder("jdbc:tusk:postgresql://").append(host).append(':').append(db.port()).append('/')
                .append(db.dbname()).append("?user=").append(enc(db.superuser()));
        if (p.get("password") != null) {
            url.append("&password=").append(enc(p.get("password")));
        }
        return url.toString();
    }

    /** The pgjdbc URL of the same database (for comparisons). */
    static String pgjdbcUrl(TestDatabase db) {
        return url(db).replace("jdbc:tusk:postgresql:", "jdbc:postgresql:");
    }

    static TuskDataSource dataSource(TestDatabase db) {
        return new TuskDataSource(url(db));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
