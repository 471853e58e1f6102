package dev.tusk.internal.query;

import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.wire.MessageWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * executemany of a plain {@code INSERT INTO ... VALUES (...)} as multi-row INSERTs, as pgjdbc's
 * {@code reWriteBatchedInserts}: {@value #ROWS} rows a statement instead of one, which spares the server
 * most of its per-statement work. Only statements whose VALUES tuple ends the statement and holds no
 * quotes (so renumbering {@code $n} cannot touch a literal) are rewritten; everything else runs as is.
 * The whole batch still ends at one Sync, so it succeeds or fails as a whole, exactly as before.
 */
public final class InsertRewriter {
    /** Rows per rewritten statement (pgjdbc's choice too), within the protocol's 65535 parameters. */
    static final int ROWS = 128;
    private static final Pattern INSERT = Pattern.compile("(?is)^\\s*insert\\s+into\\s+[^;()]+?(\\([^;()]*\\))?\\s*values\\s*(\\([^;]*\\))\\s*;?\\s*$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$(\\d+)");

    private final String head;
    private final String tuple;
    private final int params;

    private InsertRewriter(String head, String tuple, int params) {
        this.head = head;
        this.tuple = tuple;
        this.params = params;
    }

    /** A rewriter for {@code sql} (with {@code $n} placeholders), or null when it must run as is. */
    public static InsertRewriter of(String sql, int params) {
        if (params == 0) {
            return null;
        }
        Matcher m = INSERT.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        String tuple = m.group(2);
        if (tuple.indexOf('\'') >= 0 || tuple.indexOf('"') >= 0 || !balancedSingleTuple(tuple)
                || params > 65535 / ROWS) {
            return null;
        }
        return new InsertRewriter(sql.substring(0, m.start(2)), tuple, params);
    }

    /** The parenthesis opened first closes at the very end: one tuple, not "(a), (b)". */
    private static boolean balancedSingleTuple(String t) {
        int depth = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0 && i != t.length() - 1) {
                    return false;
                }
            }
        }
        return depth == 0;
    }

    /** One statement and its parameters: the rows of a batch, grouped. */
    public record Chunk(String sql, List<BoundParams> binds) {
    }

    /**
     * The batch as chunks of {@value #ROWS} rows (fewer at the end, or where {@value #ROWS} rows of large values
     * would make a Bind over the protocol's 1 GiB limit, trust #26); chunks of the same row count share a
     * statement. Within the {@value #ROWS}-row limit a chunk also stays under 65535 parameters ({@link #of}).
     */
    public List<Chunk> chunks(List<BoundParams> rows) {
        List<Chunk> out = new ArrayList<>(2);
        Chunk current = null;
        int currentRows = -1;
        int n = rows.size();
        for (int i = 0; i < n; ) {
            int end = i;
            long bytes = 0;
            while (end < n && end - i < ROWS) {
                long b = bytes(rows.get(end));
                if (end > i && bytes + b > MAX_BIND_VALUES) {
                    break;
                }
                bytes += b;
                end++;
            }
            int k = end - i;
            if (k != currentRows) {
                current = new Chunk(sql(k), new ArrayList<>());
                currentRows = k;
                out.add(current);
            }
            current.binds().add(merge(rows.subList(i, end)));
            i = end;
        }
        return out;
    }

    /** What a Bind may hold in values and their length and format words, with room for the rest of it. */
    private static final long MAX_BIND_VALUES = MessageWriter.MAX_MESSAGE_LENGTH - 1024;

    /** The bytes one row adds to a Bind: each value, its length word and format code. */
    private static long bytes(BoundParams row) {
        long b = 6L * row.size();
        for (int i = 0; i < row.size(); i++) {
            b += row.maxLength(i);
        }
        return b;
    }

    String sql(int rows) {
        StringBuilder sb = new StringBuilder(head.length() + rows * (tuple.length() + 8));
        sb.append(head);
        for (int r = 0; r < rows; r++) {
            if (r > 0) {
                sb.append(", ");
            }
            int offset = r * params;
            Matcher m = PLACEHOLDER.matcher(tuple);
            int from = 0;
            while (m.find()) {
                sb.append(tuple, from, m.start()).append('$').append(Integer.parseInt(m.group(1)) + offset);
                from = m.end();
            }
            sb.append(tuple, from, tuple.length());
        }
        return sb.toString();
    }

    private BoundParams merge(List<BoundParams> rows) {
        int n = rows.size() * params;
        int[] oids = new int[n];
        int[] formats = new int[n];
        Object[] slots = new Object[2 * n];
        int at = 0;
        for (BoundParams row : rows) {
            System.arraycopy(row.oids(), 0, oids, at, params);
            System.arraycopy(row.formats(), 0, formats, at, params);
            System.arraycopy(row.slots(), 0, slots, 2 * at, 2 * params);
            at += params;
        }
        return new BoundParams(oids, formats, slots);
    }
}
