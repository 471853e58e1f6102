package dev.tusk.r2dbc;

import dev.tusk.Column;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.RowMetadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;

/** The columns of a result, looked up by index or (case-insensitively, first match) by name. */
final class TuskRowMetadata implements RowMetadata {
    private final List<TuskColumnMetadata> columns;
    /** Tusk's columns this describes. */
    private final List<Column> source;
    /** The same columns as an array: a row's {@code get} reads it without going through two lists. */
    private final Column[] tuskColumns;

    TuskRowMetadata(List<Column> columns) {
        this.source = columns;
        this.tuskColumns = columns.toArray(new Column[0]);
        List<TuskColumnMetadata> cols = new ArrayList<>(columns.size());
        for (Column c : columns) {
            cols.add(new TuskColumnMetadata(c));
        }
        this.columns = Collections.unmodifiableList(cols);
    }

    List<Column> source() {
        return source;
    }

    /** Whether two descriptions are the same columns: every field RowDescription carries, and the format read. */
    static boolean sameColumns(List<Column> a, List<Column> b) {
        if (a == b) {
            return true;
        }
        int n = a.size();
        if (n != b.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Column x = a.get(i);
            Column y = b.get(i);
            if (x != y && (x.typeOid() != y.typeOid() || x.formatCode() != y.formatCode()
                    || x.wireFormatCode() != y.wireFormatCode() || x.typeModifier() != y.typeModifier()
                    || x.tableOid() != y.tableOid() || x.tableColumn() != y.tableColumn()
                    || x.internalSize() != y.internalSize() || !x.name().equals(y.name()))) {
                return false;
            }
        }
        return true;
    }

    int size() {
        return columns.size();
    }

    /** The index of {@code name}: an exact match first, then one ignoring case; -1 when none. */
    int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).getName().equals(name)) {
                return i;
            }
        }
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).getName().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    int requireIndex(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        int i = indexOf(name);
        if (i < 0) {
            throw new NoSuchElementException("no column named \"" + name + "\" in this result; its columns are " + names());
        }
        return i;
    }

    void checkIndex(int index) {
        if (index < 0 || index >= columns.size()) {
            throw new IndexOutOfBoundsException("column index " + index + " is out of range: this result has "
                    + columns.size() + " column(s), indexed from 0");
        }
    }

    private List<String> names() {
        List<String> n = new ArrayList<>();
        for (TuskColumnMetadata c : columns) {
            n.add(c.getName());
        }
        return n;
    }

    TuskColumnMetadata get(int index) {
        return columns.get(index);
    }

    /** Tusk's column {@code index}, checked as {@link #checkIndex} does. */
    Column column(int index) {
        Column[] cols = tuskColumns;
        if (index < 0 || index >= cols.length) {
            checkIndex(index);
        }
        return cols[index];
    }

    @Override
    public ColumnMetadata getColumnMetadata(int index) {
        checkIndex(index);
        return columns.get(index);
    }

    @Override
    public ColumnMetadata getColumnMetadata(String name) {
        return columns.get(requireIndex(name));
    }

    @Override
    public List<? extends ColumnMetadata> getColumnMetadatas() {
        return columns;
    }

    @Override
    public boolean contains(String columnName) {
        return indexOf(columnName) >= 0;
    }
}
