package dev.tusk.internal.core;

import dev.tusk.adapt.ResultColumn;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.wire.Payload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The rows of one result set, stored as the server sent them: every DataRow's bytes appended to storage that
 * grows in chunks (never copied once a chunk is full), with the offset of each cell. Nothing is decoded until a
 * getter asks, and no object is allocated per row or per value while reading from the socket.
 *
 * <p>A row's bytes lie in one chunk ({@link #data(int)}); each value keeps the 4-byte length it was sent with
 * just before it, so a cell records only its offset ({@link #length(int, int)} reads the length there). A
 * result of a few rows keeps the one array sized by its first row, doubled as rows arrive, up to
 * {@link #CHUNK} bytes; after that, each new chunk is a fresh array and no byte already stored is moved.
 */
public final class ResultData {
    /**
     * Bytes per chunk once a result outgrows its first one (a row larger than this gets a chunk of its own size):
     * below the size the JVM treats as a huge object, large enough that a chunk's unused tail is small.
     */
    static final int CHUNK = 64 * 1024;
    /** Cells per block of the offset table, about (blocks after the first hold a power-of-two number of rows). */
    private static final int BLOCK_CELLS = 16 * 1024;
    /** A big-endian int32 read in one load. */
    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final List<? extends ResultColumn> columns;
    private final int width;
    /** Ints per row in the offset table: the row's chunk, then the offset of each of its values. */
    private final int stride;
    /** A block of the offset table holds {@code 1 << blockShift} rows (the first one fewer until it is full). */
    private final int blockShift;
    private final int blockMask;
    /** The chunks of row bytes; {@code chunks[chunkCount - 1] == data} is the one being filled. */
    private byte[][] chunks;
    private int chunkCount;
    private byte[] data;
    private int dataLen;
    /** Bytes of every chunk before the current one, as received. */
    private long fullChunksBytes;
    /** The offset table: row r's ints start at {@code blocks[r >>> blockShift][(r & blockMask) * stride]}. */
    private int[][] blocks;
    private int rowCount;
    /**
     * Per column (from 1), the length its value had in the last row added, NULL as 0: what addRow steps over. Made
     * at the second row, so that a result of one row (a point select's) allocates nothing more.
     */
    private int[] lastLengths;
    private String commandTag;
    private long affected = Long.MIN_VALUE;
    /** The session's TimeZone when the result began to arrive, read on the reading thread in stream order. */
    private String timeZone;
    private static final String[] COUNTED_VERBS = {"INSERT", "UPDATE", "DELETE", "SELECT", "MOVE", "FETCH", "COPY", "MERGE"};

    /**
     * The columns of a result with rows of no columns ({@code SELECT;}): a list of its own, so that it is told
     * apart from a command's result, which has no columns either and no rows at all.
     */
    public static final List<ResultColumn> ZERO_COLUMNS = Collections.unmodifiableList(new ArrayList<>(0));

    private static final byte[] NO_BYTES = new byte[0];
    private static final int[] NO_CELLS = new int[0];
    private static final byte[][] NO_CHUNKS = new byte[0][];

    /** Storage sized by the first row (most results are a row or a few), doubling as more arrive. */
    public ResultData(List<? extends ResultColumn> columns) {
        this(columns, 0, 0);
    }

    /** With room for {@code rows} rows of {@code bytes} bytes in all from the start (up to a chunk and a block). */
    ResultData(List<? extends ResultColumn> columns, int rows, long bytes) {
        this.columns = columns;
        this.width = columns.size();
        this.stride = width + 1;
        this.blockShift = Math.max(0, 31 - Integer.numberOfLeadingZeros(Math.max(1, BLOCK_CELLS / stride)));
        this.blockMask = (1 << blockShift) - 1;
        if (bytes > 0) {
            this.data = new byte[(int) Math.min(bytes, CHUNK)];
            this.chunks = new byte[][] {data};
            this.chunkCount = 1;
        } else {
            this.data = NO_BYTES;
            this.chunks = NO_CHUNKS;
        }
        this.blocks = rows == 0 || width == 0 ? new int[][] {NO_CELLS}
                : new int[][] {new int[Math.min(rows, 1 << blockShift) * stride]};
    }

    /** An empty holder for the rows that follow these ones in a stream, sized like this one. */
    ResultData continuation() {
        ResultData next = new ResultData(columns, rowCount, dataLength());
        next.timeZone = timeZone;
        return next;
    }

    /**
     * An empty holder for the rows that follow these ones in a stream, made of {@code spare}'s storage when it is
     * an earlier holder of the same rows' columns whose rows nobody will read again (its arrays are written over,
     * so a stream skips zeroing fresh ones for every chunk); else as {@link #continuation()}.
     */
    ResultData continuation(ResultData spare) {
        if (spare == null || spare == this || spare.columns != columns) {
            return continuation();
        }
        spare.rowCount = 0;
        spare.dataLen = 0;
        spare.fullChunksBytes = 0;
        spare.commandTag = null;
        spare.affected = Long.MIN_VALUE;
        spare.timeZone = timeZone;
        if (spare.chunkCount > 0) { // the chunks after the first stay, for reserve() to fill again
            spare.chunkCount = 1;
            spare.data = spare.chunks[0];
        }
        return spare; // its blocks of the offset table stay too: cellsFor() fills them again
    }

    /** The most bytes of rows a result may hold to be {@link #recycledFor recycled} by the next statement of its stream. */
    static final int RECYCLE_BYTES = 8 * 1024;

    /**
     * Whether this result's storage is small enough to be kept, once nobody reads its rows, for the next statement
     * that reads a result of the same columns ({@link #recycledFor}): a single chunk of at most {@link #RECYCLE_BYTES}
     * and a single block of the offset table; a large result's storage is never kept past its statement.
     */
    public boolean recyclable() {
        return chunkCount <= 1 && data.length <= RECYCLE_BYTES && blocks.length == 1
                && blocks[0].length <= RECYCLE_BYTES / 4;
    }

    /**
     * This result, whose rows nobody reads again, emptied to hold a new result of {@code columns} (the same list: a
     * prepared statement's columns as its cache knows them) under the TimeZone {@code timeZone}: no row, no command
     * tag, no count of the statement before; its arrays are written over. Null when the columns differ.
     */
    ResultData recycledFor(List<? extends ResultColumn> columns, String timeZone) {
        if (columns != this.columns) {
            return null;
        }
        rowCount = 0;
        dataLen = 0;
        fullChunksBytes = 0;
        commandTag = null;
        affected = Long.MIN_VALUE;
        this.timeZone = timeZone;
        if (chunkCount > 0) {
            chunkCount = 1;
            data = chunks[0];
        }
        return this;
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

    /**
     * Appends one DataRow message body: records each value's offset, then copies the body. Each value's offset
     * depends on the length before it; so that the processor need not wait for each length to load before it goes
     * on, the loop steps over the length the same column had in the previous row and only then checks it (a
     * branch it predicts) against the one sent, which rows tend to repeat. Every length is checked to stay within
     * the body.
     */
    void addRow(Payload p) {
        int n = p.int16();
        if (n != width) {
            throw new OperationalException("protocol violation: DataRow has " + n
                    + " columns, RowDescription announced " + width);
        }
        int bodyLen = p.remaining();
        if (width == 0) {
            rowCount++;
            return;
        }
        reserve(bodyLen);
        byte[] src = p.array();
        int from = p.position();
        int[] cells = cellsFor(rowCount);
        int base = (rowCount & blockMask) * stride;
        cells[base] = chunkCount - 1;
        int[] last = lastLengths;
        if (last == null && rowCount > 0) {
            last = new int[stride];
            lastLengths = last;
        }
        int end = from + bodyLen;
        int rel = dataLen - from;
        int pos = from;
        for (int c = 1; c <= width; c++) {
            if (end - pos < 4) {
                throw truncated(bodyLen);
            }
            int len = (int) INT32.get(src, pos);
            pos += 4;
            cells[base + c] = pos + rel;
            int step = last != null ? last[c] : 0; // the first row guesses 0: a valid length, so equal is safe
            if (len != step) {
                if (len < -1) {
                    throw new OperationalException("protocol violation: DataRow value length " + len);
                }
                if (len > end - pos) {
                    throw truncated(bodyLen);
                }
                step = Math.max(len, 0);
                if (last != null) {
                    last[c] = step;
                }
            }
            pos += step;
        }
        if (pos > end) { // the last value ran past the body (a length checked only where it changed)
            throw truncated(bodyLen);
        }
        System.arraycopy(src, from, data, dataLen, bodyLen);
        p.skip(bodyLen);
        dataLen += bodyLen;
        rowCount++;
    }

    private static OperationalException truncated(int bodyLen) {
        return new OperationalException("protocol violation: message body truncated: a DataRow's values run past its "
                + bodyLen + " bytes");
    }

    /** Makes room for {@code n} more bytes in the current chunk, growing the first one or starting another. */
    private void reserve(int n) {
        if (data.length - dataLen >= n) {
            return;
        }
        if (chunkCount <= 1 && data.length < CHUNK && (long) dataLen + n <= CHUNK) { // a small result: one array
            int size = (int) Math.min(CHUNK, Math.max((long) data.length * 2, (long) dataLen + n));
            byte[] grown = dataLen == 0 ? new byte[size] : Arrays.copyOf(data, size); // the first row: nothing to copy
            if (chunkCount == 0) {
                chunks = new byte[][] {grown};
                chunkCount = 1;
            }
            chunks[0] = grown;
            data = grown;
            return;
        }
        int size = Math.max(CHUNK, n);
        byte[] next;
        if (chunkCount > 0 && dataLen == 0) { // an empty chunk too small for this row: replace it
            next = new byte[size];
            chunks[chunkCount - 1] = next;
        } else {
            if (chunkCount == chunks.length) {
                chunks = Arrays.copyOf(chunks, Math.max(4, chunks.length * 2));
            }
            byte[] kept = chunks[chunkCount]; // a chunk of an earlier use of this holder (continuation(spare))
            next = kept != null && kept.length >= size ? kept : new byte[size];
            chunks[chunkCount++] = next;
            fullChunksBytes += dataLen;
        }
        data = next;
        dataLen = 0;
    }

    /** The block of the offset table that holds row {@code row} (about to be added), grown or added as needed. */
    private int[] cellsFor(int row) {
        int b = row >>> blockShift;
        int need = ((row & blockMask) + 1) * stride;
        int[] cells = b < blocks.length ? blocks[b] : null;
        if (cells != null) {
            if (need <= cells.length) {
                return cells;
            }
            // only the first block grows (a result of a few rows keeps a small one)
            int size = Math.min((1 << blockShift) * stride, Math.max(cells.length * 2, need));
            cells = cells.length == 0 ? new int[size] : Arrays.copyOf(cells, size);
            blocks[b] = cells;
            return cells;
        }
        if (b >= blocks.length) {
            blocks = Arrays.copyOf(blocks, Math.max(b + 1, blocks.length * 2));
        }
        cells = new int[(1 << blockShift) * stride];
        blocks[b] = cells;
        return cells;
    }

    void commandTag(String tag) {
        this.commandTag = tag;
    }

    /** The columns, as the session's {@link ColumnFactory} made them. */
    public List<? extends ResultColumn> columns() {
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

    /** The array holding row {@code row}'s bytes: what {@link #offset} is an offset into. */
    public byte[] data(int row) {
        return chunks[blocks[row >>> blockShift][(row & blockMask) * stride]];
    }

    /** The bytes of the rows received so far: each value as sent with its 4-byte length. */
    public long dataLength() {
        return fullChunksBytes + dataLen;
    }

    /**
     * The block of the offset table holding row {@code row}'s offsets, from {@link #cellBase(int) cellBase(row)}
     * on (column 0 first): what {@link #offset} reads, for a reader that finds a row once and reads several values.
     */
    public int[] cells(int row) {
        return blocks[row >>> blockShift];
    }

    /** Where row {@code row}'s offsets start in {@link #cells(int) cells(row)}. */
    public int cellBase(int row) {
        return (row & blockMask) * stride + 1;
    }

    /** Where the value of column {@code col} of row {@code row} starts in {@link #data(int) data(row)}. */
    public int offset(int row, int col) {
        return blocks[row >>> blockShift][(row & blockMask) * stride + 1 + col];
    }

    /** The value's length in bytes, -1 for NULL (as sent, just before the value). */
    public int length(int row, int col) {
        int[] cells = blocks[row >>> blockShift];
        int base = (row & blockMask) * stride;
        return valueLength(chunks[cells[base]], cells[base + 1 + col]);
    }

    /**
     * The length of the value at {@code offset} of {@code chunk} (an {@link #offset} into {@link #data(int)}), -1
     * for NULL: for a getter that has the chunk and the offset already.
     */
    public static int valueLength(byte[] chunk, int offset) {
        return (int) INT32.get(chunk, offset - 4); // one load (and one bounds check) where four bytes would take four
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
