package dev.tusk.internal.op;

import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.SyntaxError;
import dev.tusk.errors.TuskException;
import dev.tusk.errors.UndefinedTable;
import dev.tusk.internal.core.BackendBytes;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.SyncCommand;
import dev.tusk.internal.query.PreparedStatements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pipeline mode's rules ({@link PipelineState}) without a server and without I/O: a protocol core fed with backend
 * message bytes, the test acting as the waiter of both drivers (send what the state and the operations return, feed
 * the replies, resume the operations as their commands complete).
 */
@Timeout(10)
class PipelineStateBytesTest {
    private final ProtocolCore core = new ProtocolCore();
    private final Session session = new Session(core, new PreparedStatements(5, 10), true);
    private final PipelineState state = session.pipelines();

    private void feed(BackendBytes s) {
        byte[] b = s.bytes();
        core.input().append(b, 0, b.length);
        core.process();
    }

    /** A statement of the user's queued in the pipeline, as the blocking waiter's queue() does it. */
    private Execute queue(String sql) {
        Execute op = Execute.simple(session, sql, 0, null, null);
        Command cmd = op.start();
        cmd.onComplete(() -> op.resume(null));
        core.send(cmd);
        op.sent(cmd);
        return op;
    }

    private SyncCommand send(SyncCommand sync) {
        core.send(sync);
        return sync;
    }

    private PipelineState.Block enter() {
        PipelineState.Block b = state.newBlock();
        state.enter(b);
        return b;
    }

    @Test
    void enteringQueuesNothingAndTheStatementsThatFollowGoWithoutSync() {
        assertThat(state.status()).isEqualTo(PipelineState.OFF);
        enter();
        assertThat(state.status()).isEqualTo(PipelineState.ON);
        assertThat(core.output().position()).isZero();
        queue("SELECT 1");
        byte[] out = core.output().toByteArray();
        assertThat(new String(out, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("S\0\0\0\4");
        assertThat(state.sentSinceSync()).isTrue();
    }

    @Test
    void aFailedStatementAbortsThePipelineAndTheCallersSyncRaisesTheFirstErrorNotTheSkippedOnes() {
        enter();
        Execute bad = queue("SELECT * FROM nope");
        Execute skipped = queue("SELECT 2");
        SyncCommand sync = send(state.startSync());

        feed(BackendBytes.reply().parseComplete().bindComplete().error("42P01", "relation \"nope\" does not exist"));
        assertThat(bad.failure()).isInstanceOf(UndefinedTable.class);
        assertThat(skipped.failure()).isInstanceOf(PipelineAborted.class);
        assertThat(state.status()).isEqualTo(PipelineState.ABORTED);

        feed(BackendBytes.reply().ready('I'));
        TuskException e = state.synced(sync, null, true);
        assertThat(e).isSameAs(bad.failure());
        assertThat(state.status()).isEqualTo(PipelineState.ON); // the Sync ended the aborted segment
        assertThat(state.sentSinceSync()).isFalse();
    }

    @Test
    void anErrorAFetchHasRaisedAlreadyIsNotRaisedAgainByTheSync() {
        enter();
        Execute bad = queue("SELEC 1");
        queue("SELECT 2");
        SyncCommand sync = send(state.startSync());
        feed(BackendBytes.reply().error("42601", "syntax error").ready('I'));
        state.raised(bad.failure()); // the cursor's fetch raised it

        assertThat(state.synced(sync, null, true)).isNull();
    }

    @Test
    void aSyncTheStatementTimeoutFiredOnRaisesTheErrorAsATimeout() {
        enter();
        queue("SELECT pg_sleep(10)");
        SyncCommand sync = send(state.startSync());
        feed(BackendBytes.reply().error("57014", "canceling statement due to user request").ready('I'));

        assertThat(state.synced(sync, Duration.ofMillis(200), true)).hasMessageContaining("statement timeout");
    }

    @Test
    void aSyncOfTheDriversOwnKeepsTheErrorForTheCallersNextSync() {
        enter();
        assertThat(state.syncBeforeOwnStatement()).isNull(); // nothing queued: nothing to end
        Execute bad = queue("SELEC 1");
        SyncCommand own = send(state.syncBeforeOwnStatement());
        feed(BackendBytes.reply().error("42601", "syntax error").ready('I'));
        assertThat(own.isDone()).isTrue();
        assertThat(state.status()).isEqualTo(PipelineState.ABORTED); // until the caller syncs

        SyncCommand callers = send(state.startSync());
        feed(BackendBytes.reply().ready('I'));
        assertThat(state.synced(callers, null, true)).isSameAs(bad.failure()).isInstanceOf(SyntaxError.class);
        assertThat(state.status()).isEqualTo(PipelineState.ON);
    }

    @Test
    void theSyncsOwnErrorIsRaisedWhenNoStatementFailed() {
        enter();
        queue("SELECT 1");
        SyncCommand sync = send(state.startSync());
        feed(BackendBytes.reply().parseComplete().bindComplete().rows("?column?", "23").row("1").tag("SELECT 1")
                .error("40001", "could not serialize access").ready('I'));
        assertThat(state.synced(sync, null, true)).extracting(TuskException::sqlstate).isEqualTo("40001");
    }

    @Test
    void blocksNestAndOnlyLeavingTheLastOpenLeavesPipelineMode() {
        PipelineState.Block outer = enter();
        PipelineState.Block inner = enter();
        state.leave(inner, false);
        assertThat(state.inPipeline()).isTrue();
        assertThat(session.pipelined()).isTrue();
        state.leave(outer, false);
        assertThat(state.inPipeline()).isFalse();
        assertThat(session.pipelined()).isFalse();
        assertThat(state.status()).isEqualTo(PipelineState.OFF);
    }

    @Test
    void blocksLeftOutOfOrderLeavePipelineModeWithTheLastOne() {
        PipelineState.Block outer = enter();
        PipelineState.Block inner = enter();
        state.leave(outer, false); // not the innermost: taken out of the chain, the inner one still open
        assertThat(state.inPipeline()).isTrue();
        assertThat(session.pipelined()).isTrue();
        state.leave(outer, false); // left already: nothing
        assertThat(state.inPipeline()).isTrue();
        state.leave(inner, false);
        assertThat(state.inPipeline()).isFalse();
        assertThat(session.pipelined()).isFalse();
        assertThat(state.status()).isEqualTo(PipelineState.OFF);
    }

    @Test
    void leavingWithTheSyncInFlightLeavesTheStatusToItsAnswer() {
        PipelineState.Block b = enter();
        queue("SELECT 1");
        SyncCommand sync = send(state.startSync());
        state.leave(b, true);
        assertThat(state.inPipeline()).isFalse();
        assertThat(state.status()).isEqualTo(PipelineState.ON);
        feed(BackendBytes.reply().parseComplete().bindComplete().rows("?column?", "23").row("1").tag("SELECT 1")
                .ready('I'));
        assertThat(state.synced(sync, null, true)).isNull();
        assertThat(state.status()).isEqualTo(PipelineState.OFF);
    }

    @Test
    void aResultIsPendingUntilTheLastStatementAndItsSyncHaveCompleted() {
        enter();
        assertThat(state.resultPending()).isFalse();
        queue("SELECT 1");
        assertThat(state.resultPending()).isTrue();
        feed(BackendBytes.reply().parseComplete().bindComplete().rows("?column?", "23").row("1").tag("SELECT 1"));
        assertThat(state.resultPending()).isFalse();
        SyncCommand sync = send(state.startSync());
        assertThat(state.resultPending()).isTrue();
        feed(BackendBytes.reply().ready('I'));
        assertThat(state.resultPending()).isFalse();
        assertThat(state.synced(sync, null, true)).isNull();
    }

    @Test
    void pastTheWriteOutSizeTheStatementsAreWrittenOutAfterTheResultsOfThePreviousWrite() {
        enter();
        Execute first = queue("SELECT 1");
        assertThat(state.writeOutDue()).isFalse();
        core.output().bytes(new byte[PipelineState.WRITE_OUT_BYTES + 1]); // as if large parameters were queued
        assertThat(state.writeOutDue()).isTrue();
        assertThat(state.writingOut(first.command())).isNull(); // the first write: nothing to read before it
        Execute second = queue("SELECT 2");
        assertThat(state.writingOut(second.command())).isSameAs(first.command());
    }
}
