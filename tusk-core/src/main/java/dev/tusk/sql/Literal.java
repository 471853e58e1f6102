package dev.tusk.sql;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.types.BuiltinAdapters;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * A value written into the SQL text as a constant: psycopg's {@code sql.Literal}. Prefer query
 * parameters ({@link Placeholder}) for values; use a Literal where parameters cannot go (DDL, {@code SET},
 * default values, generated scripts). Whatever the value, it stays one constant: it cannot end the
 * quoting or add SQL.
 *
 * <p>How values are written:
 * <ul>
 *   <li>{@code null} → {@code NULL}; {@code Boolean} → {@code true} / {@code false};</li>
 *   <li>{@code Byte, Short, Integer, Long, BigInteger, BigDecimal} and finite {@code Float, Double} →
 *       the number ({@code 42}, {@code 1.5}, {@code 1.0E20}); a negative number gets a leading space
 *       ({@code  -1}) so that {@code 5-{}} cannot become the comment {@code 5--1}. It is not
 *       parenthesized, as in psycopg, because {@code SET} and sequence options accept only a signed
 *       constant; so mind that a cast binds tighter than unary minus: write {@code ({})::int2} or
 *       {@code CAST({} AS int2)}, not {@code {}::int2}, when the value can be negative;</li>
 *   <li>NaN and infinities → {@code 'NaN'::float8}, {@code 'Infinity'::float8},
 *       {@code '-Infinity'::float8} ({@code ::float4} for a Float);</li>
 *   <li>{@code String}, {@code Character}, other {@code CharSequence}s → {@code 'it''s'}: quotes doubled.
 *       A value containing a backslash is written in escape-string form with backslashes doubled,
 *       {@code  E'C:\\dir'}, exactly as libpq's PQescapeLiteral does; that form means the same whether
 *       standard_conforming_strings is on (the default since PostgreSQL 9.1) or off, so the result never
 *       depends on a session setting. NUL cannot be stored in PostgreSQL text and is rejected
 *       ({@link DataException});</li>
 *   <li>{@code byte[]} → {@code  E'\\x0102ff'::bytea} (hex format; the escape-string form for the
 *       same reason);</li>
 *   <li>{@code List}s and arrays (other than {@code byte[]}) → {@code ARRAY[1, 2]}, elements written
 *       by these same rules; an empty one → {@code '{}'};</li>
 *   <li>anything else → the text dumper of the connection's adapters (the global ones,
 *       {@code Tusk.adapters()}, without a connection), quoted as a string and cast to the dumper's type when it is a known built-in
 *       type: e.g. {@code '2024-01-31'::date}.</li>
 * </ul>
 *
 * <pre>{@code
 * new Literal("it's").asString();                          // 'it''s'
 * new SQL("SET search_path = {}").format("my schema");     // SET search_path = 'my schema'
 * }</pre>
 */
public final class Literal extends Composable {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Object value;

    /**
     * A literal of {@code value} (null for SQL NULL).
     *
     * @throws ProgrammingException when {@code value} is itself a {@link Composable}: use it directly
     */
    public Literal(Object value) {
        if (value instanceof Composable) {
            throw new ProgrammingException("a Literal cannot wrap a Composable (" + value + "): use the Composable directly");
        }
        this.value = value;
    }

    /** The wrapped value. */
    public Object value() {
        return value;
    }

    /**
     * {@code value} as an SQL constant for {@code context} (a connection, a cursor, an {@link AdaptersMap}, or
     * null for the global adapters): psycopg's {@code sql.quote()}. Until 0.1 this took a {@code Connection};
     * calls written for it compile unchanged, and an {@code AsyncConnection} works too.
     *
     * <pre>{@code
     * Literal.quote("O'Reilly", null);   // 'O''Reilly'
     * }</pre>
     */
    public static String quote(Object value, AdaptContext context) {
        return new Literal(value).asString(context);
    }

    @Override
    public boolean hasPlaceholders() {
        return false;
    }

    @Override
    void appendTo(StringBuilder out, AdaptersMap adapters, boolean doublePercent) {
        appendValue(out, value, adapters, doublePercent);
    }

    private static void appendValue(StringBuilder out, Object v, AdaptersMap adapters, boolean dp) {
        if (v == null) {
            out.append("NULL");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            appendNumber(out, v.toString());
        } else if (v instanceof BigInteger || v instanceof BigDecimal) {
            appendNumber(out, v.toString());
        } else if (v instanceof Double d) {
            appendFloat(out, d, Double.toString(d), "float8");
        } else if (v instanceof Float f) {
            appendFloat(out, f, Float.toString(f), "float4");
        } else if (v instanceof CharSequence s) {
            Quoting.appendString(out, s, dp);
        } else if (v instanceof Character c) {
            Quoting.appendString(out, String.valueOf(c), dp);
        } else if (v instanceof byte[] bytes) {
            appendBytea(out, bytes);
        } else if (v instanceof Collection<?> items) {
            appendArray(out, items.toArray(), adapters, dp);
        } else if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            Object[] items = new Object[n];
            for (int i = 0; i < n; i++) {
                items[i] = Array.get(v, i);
            }
            appendArray(out, items, adapters, dp);
        } else {
            appendAdapted(out, v, adapters, dp);
        }
    }

    private static void appendNumber(StringBuilder out, String digits) {
        if (digits.startsWith("-")) {
            out.append(' ');
        }
        out.append(digits);
    }

    private static void appendFloat(StringBuilder out, double d, String text, String type) {
        if (Double.isNaN(d)) {
            out.append("'NaN'::").append(type);
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "'Infinity'::" : "'-Infinity'::").append(type);
        } else {
            appendNumber(out, text);
        }
    }

    private static void appendBytea(StringBuilder out, byte[] bytes) {
        out.append(" E'\\\\x");
        for (byte b : bytes) {
            out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        out.append("'::bytea");
    }

    private static void appendArray(StringBuilder out, Object[] items, AdaptersMap adapters, boolean dp) {
        if (items.length == 0) {
            out.append("'{}'");
            return;
        }
        out.append("ARRAY[");
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            Object item = items[i];
            if (item instanceof Composable) {
                throw new ProgrammingException("a Literal list cannot contain a Composable (" + item + ")");
            }
            appendValue(out, item, adapters, dp);
        }
        out.append(']');
    }

    private static void appendAdapted(StringBuilder out, Object v, AdaptersMap adapters, boolean dp) {
        Dumper<Object> dumper = (adapters != null ? adapters : BuiltinAdapters.global()).dumperFor(v, Format.TEXT);
        ByteBuffer data = dumper.dump(v);
        String text = StandardCharsets.UTF_8.decode(data.duplicate()).toString();
        Quoting.appendString(out, text, dp);
        String cast = TypeNames.castName(dumper.oid());
        if (cast != null) {
            out.append("::").append(cast);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Literal l && Objects.deepEquals(l.value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value instanceof byte[] b ? Arrays.hashCode(b) : value);
    }

    @Override
    public String toString() {
        if (value instanceof String s) {
            return "Literal(" + Quoting.javaString(s) + ")";
        }
        if (value instanceof byte[] b) {
            return "Literal(byte[" + b.length + "])";
        }
        return "Literal(" + value + ")";
    }
}
