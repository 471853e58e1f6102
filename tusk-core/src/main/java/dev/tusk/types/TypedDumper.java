package dev.tusk.types;

import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;

/** A dumper with a fixed type oid and format: what the built-in dumpers and {@link Codecs#dumper} share. */
abstract class TypedDumper<T> implements Dumper<T> {
    private final int oid;
    private final Format format;

    TypedDumper(int oid, Format format) {
        this.oid = oid;
        this.format = format;
    }

    @Override
    public int oid() {
        return oid;
    }

    @Override
    public Format format() {
        return format;
    }

    @Override
    public String toString() {
        return "Dumper(oid=" + oid + ", " + format + ")";
    }
}
