package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * text, varchar, bpchar, name, "char", xml, money, unknown and every type without a loader of its own
 * in text ↔ {@code String}. Strings are dumped as text with oid 0 in automatic and text format, so the
 * server infers their type from the query (psycopg does the same); in binary they are {@code text}.
 * PostgreSQL text cannot hold a NUL character: dumping one raises {@link DataException}.
 */
public final class TextAdapters {
    private TextAdapters() {
    }

    /**
     * The built-in text dumper of {@link String}: the text as it is. COPY's text rows write such strings directly
     * (escaped, without a buffer per value); a String dumper of the application's replaces it there too.
     */
    public static final Dumper<String> STRING_TEXT = DirectDumpers.text(0, Format.TEXT);
    static final Loader<String> TEXT = Codecs.textLoader(s -> s);
    static final Loader<String> BINARY = new InPlaceLoader<>() {
        @Override
        public String load(byte[] a, int off, int len) {
            return new String(a, off, len, StandardCharsets.UTF_8);
        }

        @Override
        public Format format() {
            return Format.BINARY;
        }
    };

    /** "char" is one byte; char_out writes bytes with the high bit set as \ooo. */
    static final Loader<String> CHAR_TEXT = Codecs.textLoader(s -> {
        if (s.length() == 4 && s.charAt(0) == '\\') {
            return String.valueOf((char) Integer.parseInt(s.substring(1), 8));
        }
        return s;
    });
    static final Loader<String> CHAR_BINARY = Codecs.binaryLoader(b -> {
        if (b.remaining() == 0) {
            return "";
        }
        int c = b.get(b.position()) & 0xFF;
        return c == 0 ? "" : String.valueOf((char) c);
    });

    /** Returns {@code s}, or raises {@link DataException} when it contains NUL. */
    static String checkNoNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new DataException("PostgreSQL text cannot contain NUL (0x00) characters, found one at index "
                    + s.indexOf('\0') + ": remove them, or send the data as bytea (byte[])");
        }
        return s;
    }

    static void register(AdaptersMap m) {
        int[] textual = {BuiltinTypes.TEXT, BuiltinTypes.VARCHAR, BuiltinTypes.BPCHAR, BuiltinTypes.NAME,
                BuiltinTypes.UNKNOWN, BuiltinTypes.XML, BuiltinTypes.JSONPATH};
        for (int oid : textual) {
            m.registerLoader(oid, TEXT);
            m.registerLoader(oid, BINARY);
        }
        m.registerLoader(BuiltinTypes.MONEY, TEXT);
        m.registerLoader(BuiltinTypes.CHAR, CHAR_TEXT);
        m.registerLoader(BuiltinTypes.CHAR, CHAR_BINARY);

        m.registerDumper(String.class, DirectDumpers.text(BuiltinTypes.TEXT, Format.BINARY));
        m.registerDumper(String.class, STRING_TEXT);
        m.registerDumper(Character.class, Codecs.<Character>dumper(BuiltinTypes.TEXT, Format.BINARY,
                c -> Wire.utf8(checkNoNul(c.toString()))));
        m.registerDumper(Character.class, Codecs.<Character>textDumper(0, Object::toString));
    }
}
