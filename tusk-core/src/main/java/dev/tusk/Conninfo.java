package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.conninfo.ConninfoFormatter;
import dev.tusk.internal.conninfo.ConninfoParser;
import dev.tusk.internal.conninfo.ConninfoSecrets;
import dev.tusk.internal.conninfo.Keywords;
import dev.tusk.internal.conninfo.UriParser;
import dev.tusk.internal.conninfo.ValueRules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Connection strings, as libpq reads them: psycopg's {@code conninfo_to_dict} and {@code make_conninfo}.
 *
 * <p>Two forms are accepted. A keyword/value string: {@code host=localhost port=5432 dbname='my db'}, where
 * whitespace may surround {@code =}, a value with spaces is single-quoted, and a backslash takes the next
 * character literally. A URI: {@code postgresql://user:secret@host1:5432,[::1]:5433/mydb?sslmode=require}
 * (or {@code postgres://}), percent-decoded, where a host {@code %2Fvar%2Frun%2Fpostgresql} is a unix socket
 * directory. Both give the same map; neither reads the environment, the service file or the password file (that
 * happens when connecting).
 *
 * <pre>{@code
 * Map<String, String> m = Conninfo.parse("postgresql://app@db1,db2:5433/sales?connect_timeout=5");
 * // {user=app, host=db1,db2, port=,5433, dbname=sales, connect_timeout=5}
 *
 * String s = Conninfo.make("dbname=sales", Map.of("user", "app", "application_name", "month end"));
 * // dbname=sales user=app application_name='month end'
 * }</pre>
 *
 * <p>Unknown keywords, malformed strings and values that can be checked without a server ({@code port=abc},
 * {@code sslmode=sometimes}, {@code require_auth=md5,!password}) throw {@link dev.tusk.errors.ProgrammingException}
 * naming the keyword and what is allowed.
 */
public final class Conninfo {
    private Conninfo() {
    }

    /**
     * The parameters of a connection string, in the order they appear; a keyword given twice keeps its last
     * value. The empty string gives an empty map.
     *
     * @throws dev.tusk.errors.ProgrammingException if the string is malformed, names an unknown keyword or
     *         gives a keyword a value it cannot take
     */
    public static Map<String, String> parse(String conninfo) {
        try {
            Map<String, String> m = UriParser.prefixLength(conninfo) > 0 ? UriParser.parse(conninfo)
                    : ConninfoParser.parse(conninfo);
            m.forEach(ValueRules::check);
            return m;
        } catch (ProgrammingException e) {
            // a malformed string may have scattered its password into the parts an error quotes
            throw ConninfoSecrets.scrubbed(e, conninfo);
        }
    }

    /**
     * {@link #parse(String)} merged with {@code overrides}: psycopg's {@code conninfo_to_dict(conninfo, **kwargs)}.
     * A null override removes the keyword; other values are turned into strings with {@code String.valueOf}.
     */
    public static Map<String, String> parse(String conninfo, Map<String, ?> overrides) {
        Map<String, String> m = parse(conninfo);
        merge(m, overrides);
        return m;
    }

    /**
     * A connection string made of {@code conninfo} with {@code overrides} applied: psycopg's
     * {@code make_conninfo}. With no overrides the string is checked and returned as it is (a URI stays a URI);
     * otherwise the result is a keyword/value string in which the overrides replace keywords of the same name
     * (keeping their place) or follow them. A null override is ignored, the base's value kept (psycopg drops
     * None arguments).
     * Values are quoted when they need it: empty, with whitespace, quotes or backslashes.
     *
     * <pre>{@code
     * Conninfo.make("postgresql://localhost/db", Map.of("password", "it's")); // host=localhost dbname=db password='it\'s'
     * }</pre>
     *
     * @throws dev.tusk.errors.ProgrammingException if {@code conninfo} is malformed or a keyword or value is invalid
     */
    public static String make(String conninfo, Map<String, ?> overrides) {
        String base = conninfo == null ? "" : conninfo;
        if (overrides != null && overrides.values().stream().anyMatch(Objects::isNull)) { // psycopg drops None
            Map<String, Object> given = new LinkedHashMap<>();
            overrides.forEach((k, v) -> {
                if (v != null) {
                    given.put(k, v);
                }
            });
            overrides = given;
        }
        if (overrides == null || overrides.isEmpty()) {
            parse(base);
            return base;
        }
        return ConninfoFormatter.format(parse(base, overrides));
    }

    /** {@link #make(String, Map)} from an empty string: a connection string of the given parameters. */
    public static String make(Map<String, ?> params) {
        return make("", params);
    }

    /** A value quoted for a keyword/value string, if it needs it: {@code "my db"} gives {@code 'my db'}. */
    public static String quote(String value) {
        return ConninfoFormatter.quote(value);
    }

    private static void merge(Map<String, String> m, Map<String, ?> overrides) {
        if (overrides == null) {
            return;
        }
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            String key = e.getKey();
            Keywords.require(key);
            if (e.getValue() == null) {
                m.remove(key);
            } else {
                String value = String.valueOf(e.getValue());
                ValueRules.check(key, value);
                m.put(key, value);
            }
        }
    }
}
