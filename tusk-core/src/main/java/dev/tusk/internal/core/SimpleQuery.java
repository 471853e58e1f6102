package dev.tusk.internal.core;

import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;

/** A Query message: the simple protocol, text results, several statements allowed. */
public final class SimpleQuery extends QueryCommand {
    private final String sql;

    public SimpleQuery(String sql) {
        this.sql = sql;
    }

    public String sql() {
        return sql;
    }

    @Override
    public void encode(MessageWriter out) {
        Frontend.query(out, sql);
    }

    /** A Query message has no Sync of its own (see {@link Command#sendsSync()}). */
    @Override
    public boolean sendsSync() {
        return false;
    }
}
