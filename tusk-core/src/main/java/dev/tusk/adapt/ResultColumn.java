package dev.tusk.adapt;

/**
 * What a loader is chosen by: a result column's type and format, as a RowDescription gives them.
 * {@code dev.tusk.Column} is one; {@link AdaptersMap#loadersFor} takes a list of them.
 */
public interface ResultColumn {
    /** The column's type oid. */
    int typeOid();

    /** The column's format code: 0 text, 1 binary. */
    int formatCode();

    /**
     * The format the column's values came in, which picks the loader: {@link #formatCode()} unless the driver
     * received in binary a column asked in text (see {@code dev.tusk.Column#formatCode}).
     */
    default int wireFormatCode() {
        return formatCode();
    }
}
