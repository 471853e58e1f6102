package dev.tusk.internal.core;

import dev.tusk.Column;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.wire.Payload;

import java.util.Arrays;
import java.util.List;

/**
 * The rows of one result set, stored as the server sent them: every DataRow's bytes appended to one
 * array, with the offset and length of each cell. Nothing is decoded until a getter asks, and no object
 * is allocated per row or per value while reading from the socket.
 */
public final class ResultData {
    private final List<Column> columns;
    private final int width;
    private byte[] data;
    private int dataLen;
    /** Two ints per cell: offset into {@link #data}, length (-1 for NULL). */
    private int[] cells;
    private int rowCount;
    private String commandTag;
    private long affected = Long.MIN_VALUE;
    /** The session's TimeZone when the result began to arrive, read on the reading thread in stream order. */
    private String timeZone;
    private static final String[] COUNTED_VERBS = {"INSERT", "UPDATE", "DELETE", "SELECT", "MOVE", "FETCH", "COPY", "MERGE"};

    /**
     * The columns of a result with rows of no columns ({@code SELECT;}): a list of its own, so that it is told
     * apart from a command's result, which has no columns either and no rows at all.
     */
    public static final List<Column> ZERO_COLUMNS = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(0));

    private static final byte[] NO_BYTES = new byte[0];
    private static final int[] NO_CELLS = new int[0];

    /** Storage sized by the first row (most results are a row or a few), doubling as more arrive. */
    public ResultData(List<Column> columns) {
        this(columns, 0, 0);
    }

    /** With room for {@code rows} rows of {@code bytes} bytes in all from the start. */
    ResultData(List<Column> columns, int rows, int bytes) {
        this.columns = columns;
        this.width = columns.size();
        this.data = bytes == 0 ? NO_BYTES : new byte[bytes];
        this.cells = rows == 0 || width == 0 ? NO_CELLS : new int[rows * width * 2];
    }

    /** An empty holder for the rows that follow these ones in a stream, sized like this one. */
    ResultData continuation() {
        ResultData next = new ResultData(columns, rowCount, dataLen);
        next.timeZone = timeZone;
        return next;
    }

    /** Marks the result as produced under the session's {@code TimeZone} {@code name} (as last reported). */
    ResultData arrivedUnder(String name) {
        this.timeZone = name;
        return this;
    }

    /**
     * The session's {@code TimeZone} parameter as last reported when this result began to arrive (null when
     * not known): what a binary timestamptz of the automatic format is shown in, as the server's text was.
     */
    public String timeZone() {
        return timeZone;
    }

    /** Appends one DataRow message body. */
    void addRow(Payload p) {
        int n = p.int16();
        if (n != width) {
            throw new OperationalException("protocol violation: DataRow has " + n
                    + " columns, RowDescription announced " + width);
        }
        int bodyStart = p.position();
        int bodyLen = p.remaining();
        ensureData(bodyLen);
        System.arraycopy(p.array(), bodyStart, data, dataLen, bodyLen);
        ensureCells();
        int base = rowCount * width * 2;
        int rel = dataLen - bodyStart;
        for (int c = 0; c < width; c++) {
            int len = p.int32();
            cells[base + 2 * c] = p.position() + rel;
            cells[base + 2 * c + 1] = len;
            if (len > 0) {
                p.skip(len);
            } else if (len < -1) {
                throw new OperationalException("protocol violation: DataRow value length " + len);
            }
        }
        dataLen += bodyLen;
        rowCount++;
    }

    private void ensureData(int n) {
        if (dataLen + n > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) data.length * 2, (long) dataLen + n)));
        }
    }

    private void ensureCells() {
        int need = (rowCount + 1) * width * 2;
        if (need > cells.length) {
            cells = Arrays.copyOf(cells, Math.max(cells.length * 2, need));
        }
    }

    void commandTag(String tag) {
        this.commandTag = tag;
    }

    public List<Column> columns() {
        return columns;
    }

    /** True for a result of rows (RowDescription sent, even of no columns); false for a command's result. */
    public boolean returnsRows() {
        return width > 0 || columns == ZERO_COLUMNS;
    }

    public int width() {
        return width;
    }

    public int rowCount() {
        return rowCount;
    }

    public String commandTag() {
        return commandTag;
    }

    public byte[] data() {
        return data;
    }

    /** The bytes of the rows received so far: each value as sent with its 4-byte length. */
    public int dataLength() {
        return dataLen;
    }

    public int offset(int row, int col) {
        return cells[(row * width + col) * 2];
    }

    /** The value's length in bytes, -1 for NULL. */
    public int length(int row, int col) {
        return cells[(row * width + col) * 2 + 1];
    }

    /** Rows affected according to the command tag ("INSERT 0 5" → 5), or -1. */
    public long affectedRows() {
        long a = affected;
        if (a == Long.MIN_VALUE) {
            affected = a = affectedRows(commandTag);
        }
        return a;
    }

    public static long affectedRows(String tag) {
        if (tag == null) {
            return -1;
        }
        int sp = tag.lastIndexOf(' ');
        if (sp < 0) {
            return -1;
        }
        int first = tag.indexOf(' ');
        boolean counted = false;
        for (String verb : COUNTED_VERBS) {
            counted |= first == verb.length() && tag.startsWith(verb);
        }
        if (!counted || sp + 1 >= tag.length()) {
            return -1;
        }
        long n = 0;
        for (int i = sp + 1; i < tag.length(); i++) { // no substring: this runs for every statement
            char c = tag.charAt(i);
            if (c < '0' || c > '9' || n > Long.MAX_VALUE / 10) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
