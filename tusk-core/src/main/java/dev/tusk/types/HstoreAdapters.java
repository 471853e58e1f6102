package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.wire.Utf8;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hstore extension's type ↔ {@code Map<String, String>} (NULL values as null), text and binary, as
 * psycopg's {@code register_hstore}. hstore's oid differs per database, so it is fetched first;
 * {@link TypeInfo#register} on a type called hstore does the same as {@link #register}.
 *
 * <pre>{@code
 * conn.execute("CREATE EXTENSION IF NOT EXISTS hstore");
 * HstoreAdapters.register(TypeInfo.fetch(conn, "hstore"), conn.adapters());
 * Map<?, ?> m = (Map<?, ?>) conn.execute("SELECT 'a=>1, b=>NULL'::hstore").fetchone().get(0); // {a=1, b=null}
 * conn.execute("SELECT %s -> 'k'", Map.of("k", "v")).fetchone().getString(0);                  // v
 * }</pre>
 */
public final class HstoreAdapters {
    private HstoreAdapters() {
    }

    /**
     * Loads {@code info} (the fetched hstore type) as {@code Map<String, String>} and dumps {@code Map}s as
     * it (automatic: binary). Also registers the type itself (name, array).
     */
    public static void register(TypeInfo info, AdaptersMap adapters) {
        if (info == null) {
            throw new ProgrammingException("hstore is not installed in this database: run CREATE EXTENSION hstore first");
        }
        adapters.registerType(info);
        ArrayAdapters.registerArrayOf(adapters, info);
        registerCodecs(info, adapters);
    }

    static void registerCodecs(TypeInfo info, AdaptersMap adapters) {
        adapters.registerLoader(info.oid(), Codecs.textLoader(HstoreAdapters::parse));
        adapters.registerLoader(info.oid(), Codecs.binaryLoader(HstoreAdapters::readBinary));
        adapters.registerDumper(Map.class, Codecs.<Map<?, ?>>textDumper(info.oid(), HstoreAdapters::format));
        adapters.registerDumper(Map.class, Codecs.<Map<?, ?>>dumper(info.oid(), Format.BINARY, HstoreAdapters::writeBinary));
    }

    static Map<String, String> readBinary(ByteBuffer data) {
        ByteBuffer b = data.slice();
        int n = b.getInt();
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = readString(b);
            if (k == null) {
                throw new DataException("a binary hstore has a NULL key");
            }
            out.put(k, readString(b));
        }
        return out;
    }

    private static String readString(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return null;
        }
        ByteBuffer s = b.slice();
        s.limit(len);
        b.position(b.position() + len);
        return Wire.text(s);
    }

    static ByteBuffer writeBinary(Map<?, ?> m) {
        byte[][] parts = new byte[m.size() * 2][];
        int size = 4;
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() == null) {
                throw new DataException("hstore keys cannot be NULL");
            }
            parts[i] = Utf8.encode(TextAdapters.checkNoNul(e.getKey().toString()), "an hstore key");
            parts[i + 1] = e.getValue() == null ? null
                    : Utf8.encode(TextAdapters.checkNoNul(e.getValue().toString()), "an hstore value");
            size += 8 + parts[i].length + (parts[i + 1] == null ? 0 : parts[i + 1].length);
            i += 2;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(m.size());
        for (byte[] p : parts) {
            if (p == null) {
                out.putInt(-1);
            } else {
                out.putInt(p.length).put(p);
            }
        }
        return out.flip();
    }

    /** hstore_out's form: {@code "a"=>"1", "b"=>NULL}. */
    static String format(Map<?, ?> m) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() == null) {
                throw new DataException("hstore keys cannot be NULL");
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            quote(sb, e.getKey().toString());
            sb.append("=>");
            if (e.getValue() == null) {
                sb.append("NULL");
            } else {
                quote(sb, e.getValue().toString());
            }
        }
        return sb.toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /** Parses hstore_in's input: quoted or bare keys and values, {@code =>}, bare NULL for null values. */
    static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int[] pos = {0};
        skipSpace(s, pos);
        while (pos[0] < s.length()) {
            boolean[] quoted = {false};
            String key = token(s, pos, quoted, true);
            skipSpace(s, pos);
            if (!s.startsWith("=>", pos[0])) {
                throw bad(s, pos[0], "expected '=>'");
            }
            pos[0] += 2;
            skipSpace(s, pos);
            quoted[0] = false;
            String value = token(s, pos, quoted, false);
            if (!quoted[0] && value.equalsIgnoreCase("NULL")) {
                value = null;
            }
            out.putIfAbsent(key, value);
            skipSpace(s, pos);
            if (pos[0] < s.length()) {
                if (s.charAt(pos[0]) != ',') {
                    throw bad(s, pos[0], "expected ','");
                }
                pos[0]++;
                skipSpace(s, pos);
            }
        }
        return out;
    }

    private static String token(String s, int[] pos, boolean[] quoted, boolean key) {
        StringBuilder sb = new StringBuilder();
        int i = pos[0];
        if (i < s.length() && s.charAt(i) == '"') {
            quoted[0] = true;
            i++;
            while (true) {
                if (i >= s.length()) {
                    throw bad(s, i, "unterminated quoted string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < s.length()) {
                    c = s.charAt(i++);
                }
                sb.append(c);
            }
        } else {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (ArrayText.isSpace(c) || c == ',' || (key && c == '=' && s.startsWith("=>", i))) {
                    break;
                }
                if (c == '\\' && i + 1 < s.length()) {
                    i++;
                    c = s.charAt(i);
                }
                sb.append(c);
                i++;
            }
            if (sb.length() == 0) {
                throw bad(s, i, "expected a key or value");
            }
        }
        pos[0] = i;
        return sb.toString();
    }

    private static void skipSpace(String s, int[] pos) {
        while (pos[0] < s.length() && ArrayText.isSpace(s.charAt(pos[0]))) {
            pos[0]++;
        }
    }

    private static DataException bad(String s, int pos, String why) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return new DataException("malformed hstore \"" + shown + "\" at position " + pos + ": " + why);
    }

    /** True for the hstore extension's type, which {@link TypeInfoAdapters} registers as a map. */
    static boolean isHstore(TypeInfo info) {
        return info.kind() == TypeInfo.Kind.BASE && info.name().equals("hstore");
    }
}
