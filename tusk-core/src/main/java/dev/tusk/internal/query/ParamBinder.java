package dev.tusk.internal.query;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.errors.DataException;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.ValueWriter;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** Dumps parameter values through the adapters, in the order and formats a {@link QueryTemplate} asks. */
public final class ParamBinder {
    private ParamBinder() {
    }

    /** One parameter set of executemany as binding takes it: a List becomes an Object[], a Map stays, any other object is the single parameter. */
    public static Object paramSet(Object set) {
        return set instanceof List<?> l ? l.toArray()
                : set instanceof Map<?, ?> || set instanceof Object[] ? set : new Object[] {set};
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
    @SuppressWarnings("unchecked")
    private static BoundParams dump(Object[] values, QueryTemplate t, AdaptersMap adapters) {
        int n = values.length;
        if (n > MAX_PARAMS) { // trust #26: Bind counts its parameters in 16 bits
            throw tooManyParameters(n);
        }
        // the usual single parameter takes its oid and format code from shared arrays (nobody writes into them)
        int[] oids = n == 1 ? null : new int[n];
        int[] formats = n == 1 ? null : new int[n];
        int oid = 0;
        int format = 0;
        Object[] slots = new Object[2 * n]; // see BoundParams: a value and its writer, or dumped bytes
        long size = BIND_OVERHEAD + 6L * n;
        for (int i = 0; i < n; i++) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            Dumper<Object> d = adapters.dumperFor(v, t == null ? null : t.format(i));
            oid = d.oid();
            format = d.format().code();
            if (n > 1) {
                oids[i] = oid;
                formats[i] = format;
            }
            int direct = -1;
            try {
                if (d instanceof ValueWriter<?> w && (direct = ((ValueWriter<Object>) w).checkedLength(v)) >= 0) {
                    slots[2 * i] = v; // written straight into the Bind: no buffer for it
                    slots[2 * i + 1] = w;
                    size += direct;
                    continue;
                }
                slots[2 * i] = d.dump(v);
            } catch (DataException e) {
                if (e.getClass() != DataException.class || e.diag() != Diagnostic.EMPTY) {
                    throw e;
                }
                // say which parameter could not be sent (a NUL, a lone surrogate...)
                throw new DataException("parameter $" + (i + 1) + ": " + e.getMessage(), e);
            }
            ByteBuffer b = (ByteBuffer) slots[2 * i];
            if (b != null) {
                int len = b.remaining();
                if (len > MAX_VALUE) { // trust #16: before anything is written
                    throw new DataException("parameter $" + (i + 1) + " is " + MessageWriter.size(len)
                            + ": PostgreSQL's limit for one message is 1 GiB; send it in pieces (several rows,"
                            + " large objects or COPY)");
                }
                size += len;
            }
        }
        if (size > MessageWriter.MAX_MESSAGE_LENGTH) {
            throw new DataException("the " + n + " parameters take " + MessageWriter.size(size)
                    + " together: PostgreSQL's limit for one message is 1 GiB; split the statement");
        }
        if (n == 1) {
            oids = BoundParams.oneOid(oid);
            formats = format == 0 ? ONE_TEXT : format == 1 ? ONE_BINARY : new int[] {format};
        }
        return new BoundParams(oids, formats, slots);
    }

    private static final int[] ONE_TEXT = {0};
    private static final int[] ONE_BINARY = {1};

    /** The most parameters one statement can have: Parse and Bind count them in 16 bits. */
    public static final int MAX_PARAMS = 65535;
    /** The bytes a Bind takes besides its values: length, portal, statement name (up to 64), counts, result format. */
    private static final int BIND_OVERHEAD = 4 + 1 + 65 + 2 + 2 + 2 + 2;
    /** The largest value that fits in one Bind with nothing else. */
    private static final int MAX_VALUE = MessageWriter.MAX_MESSAGE_LENGTH - BIND_OVERHEAD - 6;

    public static ProgrammingException tooManyParameters(long n) {
        return new ProgrammingException("the statement has " + n + " parameters: the protocol allows "
                + "at most " + MAX_PARAMS + " in one statement; split it, or pass the values as an array parameter");
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
