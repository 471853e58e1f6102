package dev.tusk.internal.op;

import dev.tusk.IsolationLevel;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.BackendBytes;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.query.PreparedStatements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transaction steps ({@link TransactionSteps}, {@link TransactionOp}) without a server and without I/O, the
 * test acting as the waiter: what each step sends, in which write, and what it decides from the replies. Both
 * drivers run these same steps.
 */
@Timeout(10)
class TransactionOpBytesTest {
    private final ProtocolCore core = new ProtocolCore();
    private final Session session = new Session(core, new PreparedStatements(5, 10), false);
    private final TransactionSteps steps = session.transactions();

    /** Runs {@code op} as a waiter would up to its first wait: rules, send, returns the command to wait for. */
    private Command start(TransactionOp op) {
        op.decide();
        Command cmd = op.start();
        if (cmd != null) {
            core.send(cmd);
            op.sent(cmd);
        }
        return cmd;
    }

    /** The replies to the command waited for arrive: returns the next command, sent already, or null. */
    private Command reply(TransactionOp op, BackendBytes s) {
        byte[] b = s.bytes();
        core.input().append(b, 0, b.length);
        core.process();
        Command next = op.resume(null);
        if (next != null) {
            core.send(next);
            op.sent(next);
        }
        return next;
    }

    private List<String> written() {
        byte[] out = core.output().toByteArray();
        core.output().clear();
        List<String> msgs = new ArrayList<>();
        for (int i = 0; i < out.length; ) {
            char type = (char) out[i];
            int len = ((out[i + 1] & 0xff) << 24) | ((out[i + 2] & 0xff) << 16) | ((out[i + 3] & 0xff) << 8) | (out[i + 4] & 0xff);
            msgs.add(type == 'Q' ? "Q:" + new String(out, i + 5, len - 5, StandardCharsets.UTF_8) : String.valueOf(type));
            i += 1 + len;
        }
        return msgs;
    }

    /** An outermost block opened and committed: BEGIN as the transaction begins, IDLE expected once COMMIT is sent. */
    private TransactionSteps.Block openOuter() {
        TransactionOp open = steps.open(null, null, null, null, null);
        start(open);
        written();
        assertThat(reply(open, BackendBytes.reply().tag("BEGIN").ready('T'))).isNull();
        assertThat(open.failure()).isNull();
        return open.block();
    }

    @Test
    void commitWithoutATransactionSendsNothing() {
        TransactionOp op = steps.end(true, null);
        assertThat(start(op)).isNull();
        assertThat(op.sends()).isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void commitOfAnOpenTransactionSendsCommitAndExpectsIdle() {
        Execute select = Execute.simple(session, "SELECT 1", 0, null, null); // outside autocommit: opens one
        core.send(select.start());
        byte[] b = BackendBytes.reply().tag("BEGIN").ready('T').tag("SELECT 0").ready('T').bytes();
        core.input().append(b, 0, b.length);
        core.process();
        select.resume(null);
        written();
        TransactionOp op = steps.end(true, null);
        Command cmd = start(op);
        assertThat(cmd).isNotNull();
        assertThat(op.commits()).isTrue();
        assertThat(written()).containsExactly("Q:COMMIT");
        assertThat(reply(op, BackendBytes.reply().tag("COMMIT").ready('I'))).isNull();
        assertThat(op.failure()).isNull();
        assertThat(session.expected()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void theOutermostBlockBeginsWithItsCharacteristicsAndANestedOneIsASavepoint() {
        TransactionOp open = steps.open(null, IsolationLevel.SERIALIZABLE, true, null, null);
        start(open);
        assertThat(written()).containsExactly("Q:BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY");
        assertThat(session.expected()).isEqualTo(TransactionStatus.INTRANS);
        reply(open, BackendBytes.reply().tag("BEGIN").ready('T'));
        TransactionSteps.Block outer = open.block();
        assertThat(outer.outer()).isTrue();

        TransactionOp nested = steps.open(null, null, null, null, null);
        start(nested);
        assertThat(written()).containsExactly("Q:SAVEPOINT \"_tusk_2\"");
        reply(nested, BackendBytes.reply().tag("SAVEPOINT").ready('T'));
        assertThat(steps.innermost()).isSameAs(nested.block());

        TransactionOp release = steps.commitBlock(nested.block(), null);
        start(release);
        assertThat(release.commits()).as("a RELEASE lost is not a commit in doubt").isFalse();
        assertThat(written()).containsExactly("Q:RELEASE SAVEPOINT \"_tusk_2\"");
        reply(release, BackendBytes.reply().tag("RELEASE").ready('T'));
        assertThat(nested.block().status()).isEqualTo(TransactionSteps.Status.COMMITTED);

        TransactionOp commit = steps.commitBlock(outer, null);
        start(commit);
        assertThat(written()).containsExactly("Q:COMMIT");
        reply(commit, BackendBytes.reply().tag("COMMIT").ready('I'));
        assertThat(outer.status()).isEqualTo(TransactionSteps.Status.COMMITTED);
        assertThat(steps.inBlock()).isFalse();
    }

    @Test
    void characteristicsOnANestedBlockAreRefusedBeforeAnythingIsSent() {
        openOuter();
        TransactionOp nested = steps.open(null, null, true, null, null);
        assertThatThrownBy(nested::decide).isInstanceOf(ProgrammingException.class).hasMessageContaining("outermost");
        assertThat(written()).isEmpty();
        assertThat(steps.innermost().outer()).isTrue();
    }

    @Test
    void aNamedOutermostBlockSendsBeginAndItsSavepointInOneQuery() {
        TransactionOp open = steps.open("mine", null, null, null, null);
        start(open);
        assertThat(written()).containsExactly("Q:BEGIN; SAVEPOINT \"mine\"");
    }

    @Test
    void aFailedSavepointAfterItsBeginIsUndoneByTheSameStep() {
        TransactionOp open = steps.open("bad", null, null, null, null);
        start(open);
        written();
        Command undo = reply(open, BackendBytes.reply().tag("BEGIN").error("42601", "syntax error").ready('E'));
        assertThat(undo).as("the BEGIN ran: nobody would own its transaction").isNotNull();
        assertThat(written()).containsExactly("Q:ROLLBACK");
        assertThat(reply(open, BackendBytes.reply().tag("ROLLBACK").ready('I'))).isNull();
        assertThat(open.failure().sqlstate()).isEqualTo("42601");
        assertThat(open.block().status()).isEqualTo(TransactionSteps.Status.FAILED);
        assertThat(steps.inBlock()).isFalse();
    }

    @Test
    void anOuterCommitTheServerTurnedIntoARollbackFails() {
        TransactionSteps.Block outer = openOuter();
        TransactionOp commit = steps.commitBlock(outer, null);
        start(commit);
        written();
        assertThat(reply(commit, BackendBytes.reply().tag("ROLLBACK").ready('I'))).isNull();
        assertThat(commit.failure()).isInstanceOf(OperationalException.class).hasMessageContaining("rolled back, not committed");
        assertThat(outer.status()).isEqualTo(TransactionSteps.Status.ROLLED_BACK_WITH_ERROR);
    }

    @Test
    void aRefusedReleaseRollsBackToTheSavepointInTheSameStep() {
        openOuter();
        TransactionOp nested = steps.open(null, null, null, null, null);
        start(nested);
        reply(nested, BackendBytes.reply().tag("SAVEPOINT").ready('T'));
        written();
        TransactionOp release = steps.commitBlock(nested.block(), null);
        start(release);
        written();
        Command undo = reply(release, BackendBytes.reply().error("25P02", "current transaction is aborted").ready('E'));
        assertThat(undo).isNotNull();
        assertThat(written()).containsExactly("Q:ROLLBACK TO SAVEPOINT \"_tusk_2\"; RELEASE SAVEPOINT \"_tusk_2\"");
        assertThat(reply(release, BackendBytes.reply().tag("ROLLBACK").tag("RELEASE").ready('T'))).isNull();
        assertThat(release.failure().sqlstate()).isEqualTo("25P02");
        assertThat(nested.block().status()).isEqualTo(TransactionSteps.Status.ROLLED_BACK_WITH_ERROR);
        assertThat(steps.innermost().outer()).as("the outer block goes on").isTrue();
    }

    @Test
    void explicitCommitInsideABlockIsRefused() {
        openOuter();
        TransactionOp op = steps.end(true, null);
        assertThatThrownBy(op::decide).isInstanceOf(ProgrammingException.class).hasMessageContaining("transaction() block");
        assertThat(written()).isEmpty();
    }

    @Test
    void rollingBackAnOuterBlockEndsTheBlocksStillOpenInsideIt() {
        TransactionSteps.Block outer = openOuter();
        TransactionOp nested = steps.open(null, null, null, null, null);
        start(nested);
        reply(nested, BackendBytes.reply().tag("SAVEPOINT").ready('T'));
        written();
        TransactionOp rollback = steps.rollbackBlock(outer, TransactionSteps.Status.ROLLED_BACK_EXPLICITLY, true, null);
        start(rollback);
        assertThat(written()).containsExactly("Q:ROLLBACK");
        assertThat(nested.block().status()).isEqualTo(TransactionSteps.Status.ROLLED_BACK_EXPLICITLY);
        assertThat(steps.inBlock()).isFalse();
    }

    @Test
    void aBlockOfAClosedConnectionRollsBackWithoutSendingAndStandsFailed() {
        TransactionSteps.Block outer = openOuter();
        steps.closedBy(() -> true);
        TransactionOp rollback = steps.rollbackBlock(outer, TransactionSteps.Status.ROLLED_BACK_EXPLICITLY, true, null);
        assertThat(start(rollback)).isNull();
        assertThat(written()).isEmpty();
        assertThat(outer.status()).isEqualTo(TransactionSteps.Status.FAILED);
    }

    @Test
    void aRollbackGoesToTheBlockItNamesOnlyWhenThatBlockEnclosesIt() {
        TransactionSteps.Block outer = openOuter();
        TransactionOp nested = steps.open(null, null, null, null, null);
        start(nested);
        reply(nested, BackendBytes.reply().tag("SAVEPOINT").ready('T'));
        TransactionSteps.Block inner = nested.block();
        assertThat(steps.unwind(inner, null)).isEqualTo(TransactionSteps.Unwind.HERE);
        assertThat(steps.unwind(inner, inner)).isEqualTo(TransactionSteps.Unwind.HERE);
        assertThat(steps.unwind(inner, outer)).isEqualTo(TransactionSteps.Unwind.OUTWARD);
        assertThat(steps.unwind(outer, inner)).isEqualTo(TransactionSteps.Unwind.NOT_ENCLOSING);
    }

    @Test
    void aRollbackNamesItsOwnEndedBlockAfterItsEndAndAnyOtherBlockNotEnclosingOnEitherDriver() {
        TransactionSteps.Block outer = openOuter();
        Object self = "this block";
        Object otherDriver = "a block of the other driver";
        RuntimeException rollback = new RuntimeException("rollback");
        assertThat(BlockChecks.unwind(steps, outer, otherDriver, null)).as("named, but not one of this driver's blocks")
                .isEqualTo(TransactionSteps.Unwind.NOT_ENCLOSING);
        assertThat(BlockChecks.refusal(TransactionSteps.Unwind.NOT_ENCLOSING, self, otherDriver, rollback))
                .hasMessageContaining("Rollback names a block of the other driver, which does not enclose").hasCause(rollback);
        assertThat(BlockChecks.refusal(BlockChecks.unwind(steps, outer, self, outer), self, self, rollback)).isNull();

        TransactionOp commit = steps.commitBlock(outer, null);
        start(commit);
        reply(commit, BackendBytes.reply().tag("COMMIT").ready('I'));
        for (Object named : new Object[] {null, self}) {
            TransactionSteps.Unwind where = BlockChecks.unwind(steps, outer, named, named == null ? null : outer);
            assertThat(where).isEqualTo(TransactionSteps.Unwind.AFTER_END);
            assertThat(BlockChecks.refusal(where, self, named, rollback))
                    .hasMessageContaining("after its transaction block had already ended (this block)");
        }
    }

    @Test
    void twoPhaseStepsSendTheirStatementsAndRefuseAStatementAfterPrepare() {
        TransactionOp begin = steps.tpcBegin("gid-1", null);
        start(begin);
        assertThat(written()).containsExactly("Q:BEGIN");
        reply(begin, BackendBytes.reply().tag("BEGIN").ready('T'));

        TransactionOp prepare = steps.tpcPrepare(null);
        start(prepare);
        assertThat(written()).containsExactly("Q:PREPARE TRANSACTION 'gid-1'");
        assertThatThrownBy(session::checkStatementAllowed).as("refused once PREPARE is sent, before its reply")
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("is prepared");
        reply(prepare, BackendBytes.reply().tag("PREPARE TRANSACTION").ready('I'));
        assertThat(prepare.failure()).isNull();

        TransactionOp commit = steps.tpcFinish(true, null, null);
        start(commit);
        assertThat(commit.commits()).isTrue();
        assertThat(written()).containsExactly("Q:COMMIT PREPARED 'gid-1'");
        reply(commit, BackendBytes.reply().tag("COMMIT PREPARED").ready('I'));
        session.checkStatementAllowed(); // over: statements run again
        assertThat(steps.twoPhase().current()).isNull();
    }

    @Test
    void aPrepareTheServerAnsweredWithRollbackEndsTheTwoPhaseTransaction() {
        TransactionOp begin = steps.tpcBegin("gid-2", null);
        start(begin);
        reply(begin, BackendBytes.reply().tag("BEGIN").ready('T'));
        TransactionOp prepare = steps.tpcPrepare(null);
        start(prepare);
        reply(prepare, BackendBytes.reply().tag("ROLLBACK").ready('I'));
        assertThat(prepare.failure()).isInstanceOf(ProgrammingException.class).hasMessageContaining("rolled back, not prepared");
        assertThat(steps.twoPhase().current()).isNull();
    }

    @Test
    void tpcBeginInAutocommitIsRefusedBeforeAnythingIsSent() {
        session.autocommit(true);
        assertThatThrownBy(() -> steps.tpcBegin("gid-3", null).decide()).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("autocommit");
        assertThat(written()).isEmpty();
    }

    @Test
    void aForcedRollbackBlockSendsRollbackWhereItWouldCommit() {
        TransactionOp open = steps.open(null, null, null, null, null).forceRollback(true);
        start(open);
        reply(open, BackendBytes.reply().tag("BEGIN").ready('T'));
        written();
        TransactionOp end = steps.commitBlock(open.block(), null);
        start(end);
        assertThat(end.commits()).isFalse();
        assertThat(written()).containsExactly("Q:ROLLBACK");
        reply(end, BackendBytes.reply().tag("ROLLBACK").ready('I'));
        assertThat(end.failure()).isNull();
        assertThat(open.block().status()).isEqualTo(TransactionSteps.Status.ROLLED_BACK_EXPLICITLY);
    }
}
