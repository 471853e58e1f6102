package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.LoaderFactory;
import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Anonymous records ({@code record}, oid 2249, e.g. {@code SELECT row(1, 'a')}) load as an {@code Object[]} of
 * their fields, as registered composites without a record class do and as psycopg loads them as a tuple. In text
 * the fields are their strings (the record's text does not say their types; {@code null} for NULL); in binary
 * each field is loaded by the type oid it carries. {@code ()} (no field, or one NULL field: the text cannot tell
 * them apart) loads as an empty array, as in psycopg.
 */
final class RecordAdapters {
    private RecordAdapters() {
    }

    private static Object[] text(String s) {
        if (s.trim().equals("()")) {
            return new Object[0];
        }
        List<String> fields = CompositeInfo.parseRecord(s);
        return fields.toArray();
    }

    private static Object[] binary(AdaptersMap adapters, ByteBuffer data) {
        ByteBuffer b = data.slice();
        if (b.remaining() < 4) {
            throw new DataException("a binary record has at least 4 bytes, got " + b.remaining());
        }
        int n = b.getInt();
        if (n < 0 || (long) n * 8 > b.remaining()) {
            throw new DataException("a binary record claims " + n + " fields in " + (b.remaining() + 4) + " bytes");
        }
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            if (b.remaining() < 8) {
                throw new DataException("a binary record ends inside field " + (i + 1) + " of " + n);
            }
            int oid = b.getInt();
            int len = b.getInt();
            if (len < 0) {
                continue;
            }
            if (len > b.remaining()) {
                throw new DataException("field " + (i + 1) + " of a binary record claims " + len + " bytes, "
                        + b.remaining() + " are left");
            }
            ByteBuffer item = b.slice();
            item.limit(len);
            b.position(b.position() + len);
            Loader<?> l = adapters.loaderFor(oid, Format.BINARY);
            out[i] = l == null ? Wire.bytes(item) : l.load(item);
        }
        return out;
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.RECORD, Codecs.textLoader(RecordAdapters::text));
        LoaderFactory binary = map -> Codecs.binaryLoader(b -> binary(map, b));
        m.registerLoaderFactory(BuiltinTypes.RECORD, Format.BINARY, binary);
    }
}
