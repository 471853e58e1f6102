package dev.tusk;

import dev.tusk.internal.conninfo.ConninfoParser;
import dev.tusk.internal.conninfo.ConninfoWriter;
import dev.tusk.internal.conninfo.Keywords;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * libpq connection strings, as psycopg's {@code conninfo_to_dict} and {@code make_conninfo}.
 *
 * <pre>{@code
 * Map<String, String> m = Conninfo.parse("host=db port=5432 password='it''s'");
 * Map<String, String> u = Conninfo.parse("postgresql://app:s3cret@db1:5432,db2/app?sslmode=require");
 * String s = Conninfo.make("dbname=app", Map.of("user", "me", "application_name", "my app"));
 * // dbname=app user=me application_name='my app'
 * }</pre>
 *
 * <p>Both forms follow libpq: {@code key=value} pairs with single-quoted values and backslash escapes, or
 * {@code postgresql://} URIs with percent-encoding. An unknown keyword or a malformed string raises
 * {@code ProgrammingException}, saying where, before any connection is attempted.
 */
public final class Conninfo {
    private Conninfo() {
    }

    /** The keywords of a {@code key=value} string or a URI, in order. */
    public static Map<String, String> parse(String conninfo) {
        return ConninfoParser.parse(conninfo);
    }

    /**
     * {@code conninfo} with {@code overrides} applied (a null value removes the keyword), as a
     * {@code key=value} string with values quoted where needed.
     */
    public static String make(String conninfo, Map<String, ?> overrides) {
        Map<String, String> m = new LinkedHashMap<>(parse(conninfo));
        overrides.forEach((k, v) -> {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v.toString());
            }
        });
        m.keySet().forEach(Keywords::requireKnown);
        return ConninfoWriter.format(m);
    }

    /** {@link #make(String, Map)} without a base string. */
    public static String make(Map<String, ?> params) {
        return make("", params);
    }
}
