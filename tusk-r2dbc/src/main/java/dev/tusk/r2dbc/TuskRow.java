package dev.tusk.r2dbc;

import dev.tusk.Column;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;

/**
 * One row of a result: Tusk's {@link dev.tusk.Row}, read with R2DBC's type mapping ({@link Values}). It is also
 * its own {@link Result.RowSegment} (one object per row, not two).
 */
final class TuskRow implements Row, Result.RowSegment {
    private final dev.tusk.Row row;
    private final TuskRowMetadata metadata;

    TuskRow(dev.tusk.Row row, TuskRowMetadata metadata) {
        this.row = row;
        this.metadata = metadata;
    }

    @Override
    public <T> T get(int index, Class<T> type) {
        Column column = metadata.column(index);
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        return Values.read(row, index, column, type);
    }

    @Override
    public <T> T get(String name, Class<T> type) {
        return get(metadata.requireIndex(name), type);
    }

    @Override
    public RowMetadata getMetadata() {
        return metadata;
    }

    /** As a segment of {@link Result#flatMap}: this row. */
    @Override
    public Row row() {
        return this;
    }

    /** Tusk's row, for {@code row.get(...)} outside the SPI's mapping. */
    dev.tusk.Row unwrap() {
        return row;
    }
}
