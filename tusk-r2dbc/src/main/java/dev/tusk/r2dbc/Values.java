package dev.tusk.r2dbc;

import dev.tusk.Column;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.TuskException;
import io.r2dbc.spi.Blob;
import io.r2dbc.spi.Clob;
import io.r2dbc.spi.Parameter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

/** R2DBC's value mapping on top of Tusk's adapters, for reading columns and binding parameters. */
final class Values {
    private Values() {
    }

    /** A bound SQL NULL (the type is left to the server to infer). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "NULL";
        }
    };

    /** The Java array class R2DBC code expects for a PostgreSQL array type, or null for a type that is no array here. */
    static Class<?> arrayClass(int oid) {
        return switch (oid) {
            case 1000 -> Boolean[].class;
            case 1005 -> Short[].class;
            case 1007 -> Integer[].class;
            case 1016 -> Long[].class;
            case 1021 -> Float[].class;
            case 1022 -> Double[].class;
            case 1231 -> BigDecimal[].class;
            case 1009, 1015, 1014 -> String[].class;
            case 2951 -> UUID[].class;
            default -> null;
        };
    }

    /**
     * Column {@code i} of {@code row} as {@code type}: {@code Object.class} gives the column's default class
     * (bytea: ByteBuffer; arrays: Java arrays; the rest as Tusk's adapters load it), ByteBuffer, Blob and Clob
     * wrap bytea and text, java.time conversions between the timestamp-with-zone classes; the rest is Tusk's
     * {@link dev.tusk.Row#get(int, Class)}. A class the value cannot become is an IllegalArgumentException.
     */
    @SuppressWarnings("unchecked")
    static <T> T read(dev.tusk.Row row, int i, Column column, Class<T> type) {
        Object v;
        try {
            v = row.get(i);
        } catch (TuskException e) {
            throw new IllegalArgumentException("cannot read column \"" + column.name() + "\": " + e.getMessage(), e);
        }
        if (v == null) {
            return null;
        }
        // the usual case first, in a method small enough to be compiled into the caller's mapping function
        if (type != Object.class && type.isInstance(v)) {
            return (T) v;
        }
        return convert(row, i, column, type, v);
    }

    /** {@link #read}'s value {@code v} (not null) as {@code type}, when it is not already one. */
    @SuppressWarnings("unchecked")
    private static <T> T convert(dev.tusk.Row row, int i, Column column, Class<T> type, Object v) {
        Class<?> want = boxed(type);
        if (want == Object.class) {
            if (v instanceof byte[] b) {
                return (T) ByteBuffer.wrap(b);
            }
            Class<?> array = arrayClass(column.typeOid());
            if (array != null && v instanceof List<?>) {
                return (T) row.get(i, array);
            }
            return (T) v;
        }
        if (want.isInstance(v)) {
            return (T) v;
        }
        if (want == ByteBuffer.class && v instanceof byte[] b) {
            return (T) ByteBuffer.wrap(b);
        }
        if (want == Blob.class && v instanceof byte[] b) {
            return (T) Blob.from(Mono.just(ByteBuffer.wrap(b)));
        }
        if (want == Clob.class) {
            return (T) Clob.from(Mono.just(v.toString()));
        }
        if (v instanceof OffsetDateTime t) {
            if (want == Instant.class) {
                return (T) t.toInstant();
            }
            if (want == ZonedDateTime.class) {
                return (T) t.toZonedDateTime();
            }
        }
        if (v instanceof LocalDateTime t && want == Instant.class) {
            throw new IllegalArgumentException("column \"" + column.name() + "\" is a timestamp without time zone:"
                    + " read it as LocalDateTime, there is no Instant without a zone");
        }
        if (want == UUID.class && v instanceof String s) {
            return (T) UUID.fromString(s);
        }
        try {
            return (T) row.get(i, want);
        } catch (TuskException | ClassCastException e) {
            throw new IllegalArgumentException("cannot read column \"" + column.name() + "\" (type OID " + column.typeOid()
                    + ", loaded as " + v.getClass().getName() + ") as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == int.class) return Integer.class;
        if (type == long.class) return Long.class;
        if (type == boolean.class) return Boolean.class;
        if (type == double.class) return Double.class;
        if (type == float.class) return Float.class;
        if (type == short.class) return Short.class;
        if (type == byte.class) return Byte.class;
        if (type == char.class) return Character.class;
        return type;
    }

    /**
     * Checks a value given to {@code bind}: not null, and of a class that can be sent (R2DBC's
     * {@link Parameter}, Blob, Clob, ByteBuffer, or a class Tusk's adapters dump). Returns what to keep.
     */
    static Object checkBindable(Object value, AdaptersMap adapters) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null: use bindNull(index, type) for SQL NULL");
        }
        if (value instanceof Parameter p) {
            Object inner = p.getValue();
            return inner == null ? NULL : checkBindable(inner, adapters);
        }
        if (value instanceof Blob || value instanceof Clob || value instanceof ByteBuffer) {
            return value;
        }
        if (value instanceof Character c) {
            return c.toString();
        }
        if (adapters.dumperForClass(value.getClass(), null) == null) {
            throw new IllegalArgumentException("cannot bind a value of class " + value.getClass().getName()
                    + ": Tusk has no adapter for it (register a Dumper on the connection's adapters, or bind a"
                    + " supported class such as String, Integer, Long, BigDecimal, java.time, UUID, byte[], ByteBuffer)");
        }
        return value;
    }

    /** Whether a binding holds a Blob or Clob, which must be read before the statement can be sent. */
    static boolean hasLob(Object[] values) {
        for (Object v : values) {
            if (v instanceof Blob || v instanceof Clob) {
                return true;
            }
        }
        return false;
    }

    /**
     * The values as Tusk sends them: NULL to null, ByteBuffer to byte[]; Blob and Clob must be resolved first. The
     * same array when no value needs that (the caller must not change it while it is sent), else a new one.
     */
    static Object[] toTusk(Object[] values) {
        int k = 0;
        while (k < values.length && values[k] != NULL && !(values[k] instanceof ByteBuffer)) {
            k++;
        }
        if (k == values.length) {
            return values;
        }
        Object[] out = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == NULL) {
                v = null;
            } else if (v instanceof ByteBuffer b) {
                ByteBuffer d = b.duplicate();
                byte[] bytes = new byte[d.remaining()];
                d.get(bytes);
                v = bytes;
            }
            out[i] = v;
        }
        return out;
    }

    /** The binding with its Blobs read into byte[] and its Clobs into String (then discarded). */
    static Mono<Object[]> resolveLobs(Object[] values) {
        Object[] out = values.clone();
        Flux<Object> reads = Flux.empty();
        for (int i = 0; i < values.length; i++) {
            int idx = i;
            if (values[i] instanceof Blob blob) {
                reads = reads.concatWith(Flux.from(blob.stream())
                        .collect(ByteArrayOutputStream::new, (out2, buf) -> {
                            ByteBuffer d = buf.duplicate();
                            byte[] b = new byte[d.remaining()];
                            d.get(b);
                            out2.writeBytes(b);
                        })
                        .doOnNext(bytes -> out[idx] = bytes.toByteArray())
                        .then(Mono.from(blob.discard()))
                        .cast(Object.class));
            } else if (values[i] instanceof Clob clob) {
                reads = reads.concatWith(Flux.from(clob.stream())
                        .collect(StringBuilder::new, StringBuilder::append)
                        .doOnNext(sb -> out[idx] = sb.toString())
                        .then(Mono.from(clob.discard()))
                        .cast(Object.class));
            }
        }
        return reads.then(Mono.fromSupplier(() -> out));
    }
}
