package dev.tusk.internal.wire;

/**
 * A dumper that writes a parameter's bytes straight into the Bind message, without a buffer per value: the
 * built-in dumpers of the common types implement it beside {@link dev.tusk.adapt.Dumper}, whose
 * {@code dump} stays the way for everything else (an application's dumpers, long values). What
 * {@link #writeValue} writes is exactly what {@code dump} returns for the same value.
 *
 * @param <T> the Java type written
 */
public interface ValueWriter<T> {
    /**
     * At most how many bytes {@link #writeValue} writes for {@code value}, found without encoding it; -1 when it is
     * too long to be worth writing directly (then {@code dump} makes its bytes). Raises what {@code dump} raises
     * for a value it refuses (a NUL in text...), so that a bad value fails while parameters are bound.
     */
    int checkedLength(T value);

    /** Writes {@code value}'s bytes, without a length word, at {@code out}'s position. */
    void writeValue(T value, MessageWriter out);
}
