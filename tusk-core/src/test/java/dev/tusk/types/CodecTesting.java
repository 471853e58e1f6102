package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Dump/load helpers for codec tests. */
final class CodecTesting {
    static final AdaptersMap M = BuiltinAdapters.newMap();

    private CodecTesting() {
    }

    static byte[] dump(Object v, Format f) {
        return dump(M, v, f);
    }

    static byte[] dump(AdaptersMap m, Object v, Format f) {
        Dumper<Object> d = m.dumperFor(v, f);
        ByteBuffer b = d.dump(v);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static String dumpText(Object v) {
        return new String(dump(v, Format.TEXT), StandardCharsets.UTF_8);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] unhex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static Object load(int oid, Format f, byte[] data) {
        return load(M, oid, f, data);
    }

    static Object load(AdaptersMap m, int oid, Format f, byte[] data) {
        Loader<?> l = m.loaderFor(oid, f);
        // load from a buffer that does not start at 0, as the protocol core will hand them
        ByteBuffer b = ByteBuffer.allocate(data.length + 10);
        b.position(5);
        b.put(data);
        b.flip();
        b.position(5);
        return l.load(b);
    }

    static Object loadText(int oid, String text) {
        return load(oid, Format.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Dumps in {@code f} and loads back with the loader for the dumper's oid (or {@code oid} when 0). */
    static Object roundTrip(Object v, Format f, int oid) {
        Dumper<Object> d = M.dumperFor(v, f);
        int o = d.oid() == 0 ? oid : d.oid();
        return load(o, d.format(), dump(v, f));
    }
}
