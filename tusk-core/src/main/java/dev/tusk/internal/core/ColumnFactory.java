package dev.tusk.internal.core;

import dev.tusk.adapt.ResultColumn;

/**
 * Makes the objects that describe a result's columns. The core decodes RowDescription and keeps its columns with
 * the rows (and the prepared-statement cache keeps them per statement), but the class the user is given, the public
 * {@code dev.tusk.Column} of {@code Cursor.description()}, belongs to the API above the core: the connection hands
 * the core a factory of it ({@link SessionState#columnFactory(ColumnFactory)}), as it hands it a sink that makes its
 * notifications, and the core holds what the factory makes as {@link ResultColumn}s. No column is wrapped or copied
 * on the way to the user: the one object serves the core, the loaders and {@code description()}.
 *
 * <p>Before a connection hands its own, the core makes {@link #PLAIN} columns: those of the queries run while
 * connecting, and of a core used without a connection (the byte-level tests).
 */
public interface ColumnFactory {
    /** One column as a RowDescription describes it. */
    ResultColumn column(String name, int tableOid, int tableColumn, int typeOid, int internalSize, int typeModifier,
                        int formatCode);

    /**
     * {@code column} (one this factory made) received in binary for a statement that asked for text: its
     * {@link ResultColumn#formatCode()} stays 0 and its {@link ResultColumn#wireFormatCode()} is 1.
     */
    ResultColumn receivedInBinary(ResultColumn column);

    /** Columns that are the core's own {@link Description}s. */
    ColumnFactory PLAIN = new ColumnFactory() {
        @Override
        public ResultColumn column(String name, int tableOid, int tableColumn, int typeOid, int internalSize,
                                   int typeModifier, int formatCode) {
            return new Description(name, tableOid, tableColumn, typeOid, internalSize, typeModifier, formatCode,
                    formatCode);
        }

        @Override
        public ResultColumn receivedInBinary(ResultColumn column) {
            Description d = (Description) column;
            return new Description(d.name(), d.tableOid(), d.tableColumn(), d.typeOid(), d.internalSize(),
                    d.typeModifier(), 0, 1);
        }
    };

    /** A column of {@link #PLAIN}: the fields of RowDescription, and the format its values came in. */
    record Description(String name, int tableOid, int tableColumn, int typeOid, int internalSize, int typeModifier,
                       int formatCode, int wireFormatCode) implements ResultColumn {
    }
}
