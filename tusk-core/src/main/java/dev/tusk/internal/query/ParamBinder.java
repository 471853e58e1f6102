package dev.tusk.internal.query;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.BoundParams;

import java.nio.ByteBuffer;
import java.util.Map;

/** Dumps parameter values through the adapters, in the order and formats a {@link QueryTemplate} asks. */
public final class ParamBinder {
    private ParamBinder() {
    }

    /** One parameter set of executemany as binding takes it: a List becomes an Object[], a Map stays, any other object is the single parameter. */
    public static Object paramSet(Object set) {
        return set instanceof java.util.List<?> l ? l.toArray()
                : set instanceof java.util.Map<?, ?> || set instanceof Object[] ? set : new Object[] {set};
    }

    public static BoundParams bind(QueryTemplate t, Object params, AdaptersMap adapters) {
        return dump(values(t, params), t, adapters);
    }

    /** {@code $1, $2, ...} placeholders (RawCursor): the values in order, each in the format its adapter prefers. */
    public static BoundParams bindRaw(Object params, AdaptersMap adapters) {
        if (!(params instanceof Object[] values)) {
            throw new ProgrammingException("$1-style queries take positional parameters: pass them in order, not as a map");
        }
        return dump(values, null, adapters);
    }

    /** {@code t}: the formats the placeholders ask for ({@code %b}, {@code %t}); null: each adapter's preference. */
    private static BoundParams dump(Object[] values, QueryTemplate t, AdaptersMap adapters) {
        int n = values.length;
        int[] oids = new int[n];
        int[] formats = new int[n];
        ByteBuffer[] bytes = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            Dumper<Object> d = adapters.dumperFor(v, t == null ? null : t.format(i));
            bytes[i] = d.dump(v);
            oids[i] = d.oid();
            formats[i] = d.format().code();
        }
        return new BoundParams(oids, formats, bytes);
    }

    /** The parameter values in placeholder order, checked against the template (count, names, kind). */
    public static Object[] values(QueryTemplate t, Object params) {
        int n = t.parameterCount();
        if (params instanceof Map<?, ?> map) {
            Object[] values = new Object[n];
            if (!t.isNamed() && n > 0) {
                throw new ProgrammingException("the query has positional placeholders (%s) but parameters were given as a map");
            }
            for (int i = 0; i < n; i++) {
                String name = t.name(i);
                if (!map.containsKey(name)) {
                    throw new ProgrammingException("no parameter named \"" + name + "\" for placeholder %(" + name + ")s");
                }
                values[i] = map.get(name);
            }
            return values;
        }
        Object[] seq = (Object[]) params;
        if (t.isNamed()) {
            throw new ProgrammingException("the query has named placeholders (%(name)s) but parameters were given as a sequence: pass a Map");
        }
        if (seq.length != n) {
            throw new ProgrammingException("the query has " + n + " placeholder" + (n == 1 ? "" : "s") + " but "
                    + seq.length + " parameter" + (seq.length == 1 ? " was" : "s were") + " passed");
        }
        return seq;
    }
}
