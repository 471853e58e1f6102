package dev.tusk.internal.core;

import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.nio.ByteBuffer;

/**
 * Parse (unless the statement is already prepared), Bind, Describe portal, Execute and, unless the
 * command is part of a pipeline batch, Sync: one write, one round trip.
 */
public final class ExtendedQuery extends QueryCommand {
    private final String sql;
    private final String statementName;
    private final boolean parse;
    private final BoundParams params;
    private final int resultFormat;
    private final boolean sync;

    /**
     * @param statementName "" for the unnamed statement
     * @param parse         false when {@code statementName} is already prepared on the server
     * @param resultFormat  0 text, 1 binary
     * @param sync          false to leave the Sync to a later command (pipelines, executemany)
     */
    public ExtendedQuery(String sql, String statementName, boolean parse, BoundParams params, int resultFormat, boolean sync) {
        this.sql = sql;
        this.statementName = statementName;
        this.parse = parse;
        this.params = params;
        this.resultFormat = resultFormat;
        this.sync = sync;
    }

    public String sql() {
        return sql;
    }

    @Override
    public void encode(MessageWriter out) {
        if (parse) {
            Frontend.parse(out, statementName, sql, params.oids());
        }
        bind(out);
        Frontend.describePortal(out, "");
        Frontend.execute(out, "", 0);
        if (sync) {
            Frontend.sync(out);
        }
    }

    private void bind(MessageWriter out) {
        out.begin((byte) 'B').cstring("").cstring(statementName);
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
        for (ByteBuffer v : params.values()) {
            if (v == null) {
                out.int32(-1);
            } else {
                out.int32(v.remaining()).bytes(v);
            }
        }
        out.int16(1).int16(resultFormat);
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
        // ParseComplete, BindComplete, NoData, CloseComplete, PortalSuspended: nothing to record
        return type == '1' || type == '2' || type == 'n' || type == '3' || type == 's';
    }
}
