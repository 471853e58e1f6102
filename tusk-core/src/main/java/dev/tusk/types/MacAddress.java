package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.DumperFactory;
import dev.tusk.adapt.Format;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A MAC address of 6 bytes ({@code macaddr}) or 8 bytes ({@code macaddr8}). macaddr and macaddr8 columns load
 * as their text ({@code String}, as in psycopg); {@code row.get(i, MacAddress.class)} gives this class, and a
 * {@code MacAddress} dumps as macaddr (6 bytes) or macaddr8 (8 bytes), in text and binary.
 *
 * <pre>{@code
 * MacAddress mac = row.get("hw", MacAddress.class);   // 08:00:2b:01:02:03
 * conn.execute("INSERT INTO hosts (hw) VALUES (%s)", MacAddress.parse("08-00-2b-01-02-03"));
 * }</pre>
 */
public final class MacAddress {
    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The address of these 6 or 8 bytes (copied). */
    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6 && bytes.length != 8) {
            throw new IllegalArgumentException("a MAC address has 6 or 8 bytes, got " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /**
     * Parses 6 or 8 bytes of hexadecimal digits, in pairs separated by {@code :}, {@code -} or {@code .} or not
     * at all ({@code 08:00:2b:01:02:03}, {@code 08-00-2b-01-02-03}, {@code 0800.2b01.0203}, {@code 08002b010203}).
     */
    public static MacAddress parse(String text) {
        StringBuilder hex = new StringBuilder(16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.digit(c, 16) >= 0) {
                hex.append(c);
            } else if (c != ':' && c != '-' && c != '.') {
                throw Wire.bad("macaddr", text);
            }
        }
        if (hex.length() != 12 && hex.length() != 16) {
            throw Wire.bad("macaddr", text);
        }
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new MacAddress(b);
    }

    /** The 6 or 8 bytes (a copy). */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** 6 for macaddr, 8 for macaddr8. */
    public int length() {
        return bytes.length;
    }

    /** Lower-case pairs separated by colons, as the server writes them: {@code 08:00:2b:01:02:03}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(3 * bytes.length);
        for (byte x : bytes) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Dumps as macaddr or macaddr8 by the address's length. */
    private record Dumpers(Format format, Dumper<Object> six, Dumper<Object> eight) implements DumperFactory {
        static Dumpers of(Format f) {
            Function<Object, ByteBuffer> dump = f == Format.TEXT ? a -> Wire.utf8(a.toString())
                    : a -> ByteBuffer.wrap(((MacAddress) a).bytes);
            return new Dumpers(f, Codecs.dumper(BuiltinTypes.MACADDR, f, dump), Codecs.dumper(BuiltinTypes.MACADDR8, f, dump));
        }

        @Override
        public Dumper<Object> upgrade(Object value, Format requested, AdaptersMap adapters) {
            return ((MacAddress) value).bytes.length == 6 ? six : eight;
        }

        @Override
        public int oid() {
            return 0;
        }
    }

    static void register(AdaptersMap m) {
        m.registerDumper(MacAddress.class, Dumpers.of(Format.TEXT));
        m.registerDumper(MacAddress.class, Dumpers.of(Format.BINARY));
    }
}
