package dev.tusk.internal.core;

import dev.tusk.adapt.ResultColumn;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.FrontendMessage;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.util.List;

/**
 * Parse (unless the statement is already prepared), then Bind, Describe portal and Execute once per
 * parameter set, then Sync: one write, one round trip, however many parameter sets (executemany).
 * Statements evicted from the prepared cache are closed in the same write.
 */
public final class ExtendedQuery extends QueryCommand {
    private final String sql;
    private final String statementName;
    private final boolean parse;
    private final List<BoundParams> binds;
    private final int resultFormat;
    private final boolean describe;
    private final boolean sync;
    private final List<String> closeFirst;
    /** {@code binds.size()}, asked for every CommandComplete: kept, so no call on a list of whatever kind. */
    private final int executions;

    /**
     * @param statementName "" for the unnamed statement
     * @param parse         false when {@code statementName} is already prepared on the server
     * @param binds         one parameter set per execution
     * @param resultFormat  0 text, 1 binary
     * @param describe      false when the caller does not want the rows (executemany without returning)
     * @param sync          false to leave the Sync to a later command (pipeline mode)
     * @param closeFirst    prepared statements to close on the server before this one
     */
    public ExtendedQuery(String sql, String statementName, boolean parse, List<BoundParams> binds, int resultFormat,
                         boolean describe, boolean sync, List<String> closeFirst) {
        this.sql = sql;
        this.statementName = statementName;
        this.parse = parse;
        this.binds = binds;
        this.resultFormat = resultFormat;
        this.describe = describe;
        this.sync = sync;
        this.closeFirst = closeFirst;
        this.executions = binds.size();
    }

    /** A single execution of the unnamed statement, synced: the common case. */
    public ExtendedQuery(String sql, String statementName, boolean parse, BoundParams params, int resultFormat, boolean sync) {
        this(sql, statementName, parse, List.of(params), resultFormat, true, sync, List.of());
    }

    private List<? extends ResultColumn> knownColumns;
    /** Rows the Execute asks for (0: all): past them the server suspends the portal instead of sending more. */
    private int maxRows;

    /**
     * Asks the server for at most {@code rows} rows ({@code 0}: all), for a single execution followed by its Sync:
     * past them the portal is suspended (PortalSuspended instead of CommandComplete) and dropped at the Sync or the
     * next Bind, so the rest of the result is never produced nor sent.
     */
    public ExtendedQuery maxRows(int rows) {
        this.maxRows = rows;
        return this;
    }
    /** One result format per column, chosen for a statement that asked for text (the automatic format); or null. */
    private int[] columnFormats;

    /**
     * Asks for each result column in its own format ({@code formats}, 0 text or 1 binary, one per column): the
     * columns received in binary are read as text would be ({@link ColumnFactory#receivedInBinary}).
     */
    public ExtendedQuery columnFormats(int[] formats) {
        this.columnFormats = formats;
        return this;
    }

    /** Marks the columns received in binary for a statement that asked for text. */
    @Override
    protected List<? extends ResultColumn> described(List<? extends ResultColumn> columns, ColumnFactory factory) {
        int[] f = columnFormats;
        if (f == null || f.length != columns.size()) {
            return columns;
        }
        ResultColumn[] out = columns.toArray(new ResultColumn[0]);
        for (int i = 0; i < out.length; i++) {
            if (f[i] == 1 && out[i].wireFormatCode() == 1) {
                out[i] = factory.receivedInBinary(out[i]);
            }
        }
        return List.of(out);
    }

    /** Runs without Describe, reading the rows with these columns (seen when the statement was first described). */
    public ExtendedQuery knownColumns(List<? extends ResultColumn> columns) {
        this.knownColumns = columns;
        return this;
    }

    @Override
    protected List<? extends ResultColumn> knownColumns() {
        return knownColumns;
    }

    @Override
    protected boolean rowsWanted() {
        return describe || knownColumns != null;
    }

    public boolean describes() {
        return describe;
    }

    /** 0 text, 1 binary; -1 when each column has its own ({@link #columnFormats}). */
    public int resultFormat() {
        return columnFormats != null ? -1 : resultFormat;
    }

    public String sql() {
        return sql;
    }

    @Override
    public void encode(MessageWriter out) {
        for (int i = 0, n = closeFirst.size(); i < n; i++) { // indexed: no iterator per statement
            Frontend.closeStatement(out, closeFirst.get(i));
        }
        int[] declared = binds.isEmpty() ? new int[0] : binds.get(0).oids(); // the types statementName has
        if (parse) {
            Frontend.parse(out, statementName, sql, declared);
        }
        boolean named = !statementName.isEmpty();
        int[] unnamedTypes = named ? null : declared; // the types the unnamed statement has now, if parsed here
        for (int b = 0, count = binds.size(); b < count; b++) {
            BoundParams p = binds.get(b);
            // trust #8: each row is bound to a statement declared with its own parameter types. Rows whose
            // types differ from the first's (executemany of Long then Double...) go to the unnamed statement,
            // parsed again whenever the types change: their bytes would be misread otherwise.
            String statement = "";
            if (named && (p.oids() == declared || sameTypes(p, declared))) {
                statement = statementName;
            } else if (unnamedTypes == null || (p.oids() != unnamedTypes && !sameTypes(p, unnamedTypes))) {
                unnamedTypes = p.oids();
                Frontend.parse(out, "", sql, unnamedTypes);
            }
            bind(out, statement, p);
            if (describe) {
                Frontend.describePortal(out, "");
            }
            Frontend.execute(out, "", maxRows);
        }
        if (sync) {
            Frontend.sync(out);
        }
    }

    /**
     * Whether {@code p} can be bound to a statement declared with {@code types}: the same type for every
     * parameter, except NULLs, which need none.
     */
    private static boolean sameTypes(BoundParams p, int[] types) {
        int[] oids = p.oids();
        if (oids.length != types.length) {
            return false;
        }
        for (int i = 0; i < oids.length; i++) {
            if (oids[i] != types[i] && !p.isNull(i)) {
                return false;
            }
        }
        return true;
    }

    private void bind(MessageWriter out, String statement, BoundParams params) {
        out.begin(FrontendMessage.BIND).cstring("").cstring(statement);
        int n = params.size();
        int[] formats = params.formats();
        if (allText(formats)) {
            out.int16(0);
        } else {
            out.int16(n);
            for (int f : formats) {
                out.int16(f);
            }
        }
        out.int16(n);
        for (int i = 0; i < n; i++) {
            params.write(i, out);
        }
        int[] cf = columnFormats;
        if (cf == null) {
            out.int16(1).int16(resultFormat);
        } else {
            out.int16(cf.length);
            for (int f : cf) {
                out.int16(f);
            }
        }
        out.end();
    }

    private static boolean allText(int[] formats) {
        for (int f : formats) {
            if (f != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected boolean handleOwn(int type, Payload p, ProtocolCore core) {
        // nothing to record
        return type == BackendMessage.PARSE_COMPLETE || type == BackendMessage.BIND_COMPLETE
                || type == BackendMessage.NO_DATA || type == BackendMessage.CLOSE_COMPLETE
                || type == BackendMessage.PORTAL_SUSPENDED;
    }

    @Override
    public boolean endsAtSync() {
        return sync;
    }

    /** One Execute per parameter set: without a Sync the command ends after the last one's CommandComplete. */
    @Override
    protected int executions() {
        return executions;
    }

    /** The prepared statements this command closes before its own (lost if the server skips the command). */
    public List<String> closesFirst() {
        return closeFirst;
    }
}
