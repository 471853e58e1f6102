package dev.tusk.internal.core;

import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.ValueWriter;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Parameters ready for Bind: one type oid, format code and value per parameter. A value is SQL NULL, its dumped
 * bytes, or a Java value that a built-in dumper ({@link ValueWriter}) writes straight into the Bind when it is
 * encoded (such values are immutable: what is sent is what was bound).
 */
public final class BoundParams {
    public static final BoundParams NONE = new BoundParams(new int[0], new int[0], new ByteBuffer[0]);

    private final int[] oids;
    private final int[] formats;
    /**
     * Two slots per parameter: {@code [2i]} its value (null for NULL, a ByteBuffer of dumped bytes, or a value for
     * the writer), {@code [2i+1]} the {@link ValueWriter} that writes it, or null when the value is dumped bytes.
     */
    private final Object[] slots;

    /** Dumped values (null for NULL). */
    public BoundParams(int[] oids, int[] formats, ByteBuffer[] values) {
        this(oids, formats, slotsOf(values));
    }

    /** {@code slots}: as {@link #slots} says; kept, not copied. */
    public BoundParams(int[] oids, int[] formats, Object[] slots) {
        this.oids = oids;
        this.formats = formats;
        this.slots = slots;
    }

    private static Object[] slotsOf(ByteBuffer[] values) {
        Object[] s = new Object[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            s[2 * i] = values[i];
        }
        return s;
    }

    public int size() {
        return oids.length;
    }

    /** The parameters' type oids (0: inferred by the server); shared, never written into. */
    public int[] oids() {
        return oids;
    }

    /** One format code per parameter; shared, never written into. */
    public int[] formats() {
        return formats;
    }

    /** The two slots per parameter, for concatenating parameter sets (multi-row INSERT); never written into. */
    public Object[] slots() {
        return slots;
    }

    public boolean isNull(int i) {
        return slots[2 * i] == null;
    }

    /** Writes parameter {@code i} as Bind carries it: its length word then its bytes, or -1 for NULL. */
    @SuppressWarnings("unchecked")
    public void write(int i, MessageWriter out) {
        Object v = slots[2 * i];
        Object w = slots[2 * i + 1];
        if (v == null) {
            out.int32(-1);
        } else if (w == null) {
            ByteBuffer b = (ByteBuffer) v;
            out.int32(b.remaining()).bytes(b);
        } else {
            int at = out.reserveInt();
            ((ValueWriter<Object>) w).writeValue(v, out);
            out.putIntAt(at, out.position() - at - 4);
        }
    }

    /**
     * The bytes of parameter {@code i} (null for NULL), made now for a value written directly: for listeners
     * that show the parameters, for sizes, and for tests.
     */
    public ByteBuffer value(int i) {
        Object v = slots[2 * i];
        if (v == null || slots[2 * i + 1] == null) {
            return (ByteBuffer) v;
        }
        MessageWriter w = new MessageWriter();
        write(i, w);
        return ByteBuffer.wrap(Arrays.copyOfRange(w.array(), 4, w.position()));
    }

    /** Every parameter's bytes, as {@link #value(int)} makes them. */
    public ByteBuffer[] values() {
        ByteBuffer[] out = new ByteBuffer[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = value(i);
        }
        return out;
    }

    /** At most how many bytes parameter {@code i}'s value takes in a Bind (0 for NULL). */
    @SuppressWarnings("unchecked")
    public long maxLength(int i) {
        Object v = slots[2 * i];
        Object w = slots[2 * i + 1];
        return v == null ? 0 : w == null ? ((ByteBuffer) v).remaining() : ((ValueWriter<Object>) w).checkedLength(v);
    }

    /** The oids a single parameter usually has: unknown, bool, bytea, int8, int2, int4, text, oid, json, float4, float8, varchar, date, time, timestamp, timestamptz, interval, numeric, uuid, jsonb. */
    private static final int[] COMMON = {0, 16, 17, 20, 21, 23, 25, 26, 114, 700, 701, 1043, 1082, 1083, 1114, 1184,
            1186, 1700, 2950, 3802};
    private static final int[][] ONE_OID = new int[COMMON.length][];

    static {
        for (int i = 0; i < COMMON.length; i++) {
            ONE_OID[i] = new int[] {COMMON[i]};
        }
    }

    /**
     * {@code {oid}}: for a common type, one array shared by every single-parameter statement (nobody writes into
     * it), so that its {@code ==} check against a prepared statement's types is quick; otherwise a new one.
     */
    public static int[] oneOid(int oid) {
        for (int[] one : ONE_OID) {
            if (one[0] == oid) {
                return one;
            }
        }
        return new int[] {oid};
    }
}
