package dev.tusk.internal.core;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.SqlState;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

/** A lone Sync: ends a pipeline segment; its ReadyForQuery carries the transaction status. */
public final class SyncCommand extends Command {
    @Override
    public void encode(MessageWriter out) {
        Frontend.sync(out);
    }

    @Override
    protected boolean handle(int type, Payload payload, ProtocolCore core) {
        if (type == BackendMessage.READY_FOR_QUERY) {
            core.transactionStatus((char) payload.int8());
            return true;
        }
        if (type == BackendMessage.ERROR_RESPONSE) { // an error not owned by any statement (e.g. a failed implicit COMMIT)
            fail(SqlState.create(Diagnostics.parse(payload)));
            return false;
        }
        throw new OperationalException("protocol violation: unexpected message '" + (char) type + "' before ReadyForQuery");
    }
}
