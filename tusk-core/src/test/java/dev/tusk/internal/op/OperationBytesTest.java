package dev.tusk.internal.op;

import dev.tusk.TransactionStatus;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.errors.SyntaxError;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BackendBytes;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.query.PreparedStatements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations without a server and without I/O: a protocol core fed with backend message bytes, the test
 * acting as the waiter (send the command an operation returns, feed the replies, resume it). What they send
 * and what they decide.
 */
@Timeout(10)
class OperationBytesTest {
    private final ProtocolCore core = new ProtocolCore();

    private Session session(boolean autocommit, Integer prepareThreshold) {
        return new Session(core, new PreparedStatements(prepareThreshold, 10), autocommit);
    }

    /** What a waiter does with the command an operation returned: send it, tell the operation. */
    private Command send(Operation op, Command cmd) {
        core.send(cmd);
        op.sent(cmd);
        return cmd;
    }

    private void feed(BackendBytes s) {
        byte[] b = s.bytes();
        core.input().append(b, 0, b.length);
        core.process();
    }

    /** The frontend messages written since the last call, as "type:detail" (Q: the SQL, P: name/SQL, B: statement). */
    private List<String> written() {
        byte[] out = core.output().toByteArray();
        core.output().clear();
        List<String> msgs = new ArrayList<>();
        for (int i = 0; i < out.length; ) {
            char type = (char) out[i];
            int len = ((out[i + 1] & 0xff) << 24) | ((out[i + 2] & 0xff) << 16) | ((out[i + 3] & 0xff) << 8) | (out[i + 4] & 0xff);
            int body = i + 5;
            String detail = switch (type) {
                case 'Q' -> cstr(out, body);
                case 'P' -> cstr(out, body) + "/" + cstr(out, body + cstr(out, body).getBytes(StandardCharsets.UTF_8).length + 1);
                case 'B' -> cstr(out, body + cstr(out, body).getBytes(StandardCharsets.UTF_8).length + 1);
                default -> "";
            };
            msgs.add(detail.isEmpty() ? String.valueOf(type) : type + ":" + detail);
            i += 1 + len;
        }
        return msgs;
    }

    private static String cstr(byte[] b, int at) {
        int end = at;
        while (b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private static List<BoundParams> oneInt(int v) {
        byte[] value = Integer.toString(v).getBytes(StandardCharsets.US_ASCII);
        return List.of(new BoundParams(new int[] {23}, new int[] {0}, new ByteBuffer[] {ByteBuffer.wrap(value)}));
    }

    @Test
    void executeOutsideAutocommitSendsBeginFirstInTheSameWrite() {
        Session s = session(false, 5);
        Execute op = Execute.simple(s, "SELECT 1", 0, null, null);
        Command cmd = send(op, op.start());
        assertThat(written()).containsExactly("Q:BEGIN", "Q:SELECT 1");
        assertThat(s.expected()).isEqualTo(TransactionStatus.INTRANS);

        feed(BackendBytes.reply().tag("BEGIN").ready('T').rows("?column?", "23").row("1").tag("SELECT 1").ready('T'));
        assertThat(cmd.isDone()).isTrue();
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
        assertThat(op.results().get(0).rowCount()).isEqualTo(1);

        Execute second = Execute.simple(s, "SELECT 2", 0, null, null);
        send(second, second.start());
        assertThat(written()).containsExactly("Q:SELECT 2"); // the transaction is open: no second BEGIN
    }

    @Test
    void executeInAutocommitSendsNoBegin() {
        Session s = session(true, 5);
        Execute op = Execute.simple(s, "SELECT 1", 0, null, null);
        send(op, op.start());
        assertThat(written()).containsExactly("Q:SELECT 1");
    }

    @Test
    void aStatementAfterPrepareTransactionIsRefusedBeforeAnythingIsSent() {
        Session s = session(false, 5);
        s.beforeStatement(() -> {
            throw new dev.tusk.errors.ProgrammingException("prepared");
        });
        Execute op = Execute.simple(s, "SELECT 1", 0, null, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(op::start).hasMessage("prepared");
        assertThat(written()).isEmpty();
    }

    @Test
    void aStalePlanOnTheFirstStatementIsSentOnceMoreAfterARollback() {
        Session s = session(false, 0);
        Execute op = Execute.extended(s, "SELECT * FROM t WHERE id = $1", oneInt(1), 0, null, true, null);
        Command first = send(op, op.start());
        assertThat(written()).containsExactly("Q:BEGIN", "P:_tusk_0/SELECT * FROM t WHERE id = $1", "B:_tusk_0", "D", "E", "S");

        feed(BackendBytes.reply().tag("BEGIN").ready('T')
                .error("0A000", "cached plan must not change result type").ready('E'));
        assertThat(first.isDone()).isTrue();
        Command again = op.resume(null);
        assertThat(again).isNotNull().isNotSameAs(first);
        send(op, again);
        // one write: the failed transaction ended, a new one begun, the statement parsed afresh
        assertThat(written()).containsExactly("Q:ROLLBACK", "Q:BEGIN", "P:_tusk_1/SELECT * FROM t WHERE id = $1",
                "B:_tusk_1", "D", "E", "S");

        feed(BackendBytes.reply().tag("ROLLBACK").ready('I').tag("BEGIN").ready('T')
                .parseComplete().bindComplete().rows("id", "23").row("1").tag("SELECT 1").ready('T'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
        assertThat(op.results().get(0).rowCount()).isEqualTo(1);
    }

    @Test
    void aStalePlanIsRetriedOnlyOnce() {
        Session s = session(true, 0);
        Execute op = Execute.extended(s, "SELECT $1", oneInt(1), 0, null, true, null);
        send(op, op.start());
        feed(BackendBytes.reply().error("0A000", "cached plan must not change result type").ready('I'));
        send(op, op.resume(null));
        written();
        feed(BackendBytes.reply().error("0A000", "cached plan must not change result type").ready('I'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure().sqlstate()).isEqualTo("0A000");
    }

    @Test
    void aStalePlanInsideATransactionIsNotRetried() {
        Session s = session(false, 0);
        Execute before = Execute.simple(s, "UPDATE t SET x = 1", 0, null, null);
        send(before, before.start());
        feed(BackendBytes.reply().tag("BEGIN").ready('T').tag("UPDATE 1").ready('T'));
        before.resume(null);
        written();

        Execute op = Execute.extended(s, "SELECT $1", oneInt(1), 0, null, true, null);
        send(op, op.start());
        assertThat(written()).doesNotContain("Q:BEGIN");
        feed(BackendBytes.reply().error("0A000", "cached plan must not change result type").ready('E'));
        assertThat(op.resume(null)).as("the UPDATE would be lost: the error is the caller's").isNull();
        assertThat(op.failure().sqlstate()).isEqualTo("0A000");
        assertThat(written()).isEmpty();
    }

    @Test
    void anExecutionBehindAParseInFlightReusesItsNameAndReportsItsError() {
        Session s = session(true, 0);
        Execute first = Execute.extended(s, "SELEC $1", oneInt(1), 0, null, true, null);
        Execute second = Execute.extended(s, "SELEC $1", oneInt(2), 0, null, true, null);
        send(first, first.start());
        send(second, second.start());
        assertThat(written()).containsExactly("P:_tusk_0/SELEC $1", "B:_tusk_0", "D", "E", "S", "B:_tusk_0", "D", "E", "S");

        feed(BackendBytes.reply().error("42601", "syntax error at or near \"SELEC\"").ready('I'));
        assertThat(first.resume(null)).isNull();
        feed(BackendBytes.reply().error("26000", "prepared statement \"_tusk_0\" does not exist").ready('I'));
        assertThat(second.resume(null)).isNull();
        TuskException e = second.failure();
        assertThat(e).isInstanceOf(SyntaxError.class).isNotSameAs(first.failure());
        assertThat(e.getMessage()).contains("SELEC");
    }

    @Test
    void anErrorAfterTheStatementTimeoutFiredNamesTheTimeout() {
        Session s = session(true, 5);
        Execute op = Execute.simple(s, "SELECT pg_sleep(10)", 0, null, Duration.ofMillis(200));
        send(op, op.start());
        feed(BackendBytes.reply().error("57014", "canceling statement due to user request").ready('I'));
        assertThat(op.resume(Duration.ofMillis(200))).isNull();
        assertThat(op.failure()).isInstanceOf(QueryCanceled.class).hasMessageContaining("statement timeout")
                .hasMessageContaining("200 ms");
    }

    @Test
    void inAPipelineTheBeginAndTheStatementGoWithoutSyncAndOnlyOneBeginIsSent() {
        Session s = session(false, 5);
        List<Command> sent = new ArrayList<>();
        s.pipeline(new Session.Pipelining() {
            @Override
            public void sent(Command cmd) {
                sent.add(cmd);
            }

            @Override
            public void failed(TuskException e) {
            }
        });
        Execute a = Execute.simple(s, "SELECT 1", 0, null, null);
        send(a, a.start());
        Execute b = Execute.extended(s, "SELECT $1", oneInt(2), 0, null, true, null);
        send(b, b.start());
        assertThat(written()).containsExactly("P:/BEGIN", "B", "E", "P:/SELECT 1", "B", "D", "E", "P:/SELECT $1", "B", "D", "E");
        assertThat(sent).hasSize(3);
        assertThat(s.expected()).isEqualTo(TransactionStatus.INTRANS);

        // the BEGIN's and the first statement's replies come before any Sync: the session still knows it is in a transaction
        feed(BackendBytes.reply().parseComplete().bindComplete().tag("BEGIN")
                .parseComplete().bindComplete().rows("?column?", "23").row("1").tag("SELECT 1"));
        assertThat(s.expected()).isEqualTo(TransactionStatus.INTRANS);
    }

    @Test
    void executemanyOfAPlainInsertSendsTheRewrittenChunksWithOneSync() {
        Session s = session(true, 5);
        List<BoundParams> sets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sets.add(oneInt(i).get(0));
        }
        ExecuteMany op = ExecuteMany.of(s, "INSERT INTO t (id) VALUES ($1)", sets, 0, false, null);
        send(op, op.start());
        List<String> msgs = written();
        assertThat(msgs.stream().filter("S"::equals).count()).isEqualTo(1);
        assertThat(msgs.get(msgs.size() - 1)).isEqualTo("S");
        assertThat(msgs.get(0)).startsWith("P:/INSERT INTO t (id) VALUES ($1), ($2), ($3)");
    }

    @Test
    void commitWithNoTransactionOpenSendsNothing() {
        Session s = session(false, 5);
        Execute commit = Execute.endTransaction(s, true, null);
        assertThat(commit.start()).isNull();
        assertThat(commit.failure()).isNull();
        assertThat(written()).isEmpty();
    }

    @Test
    void commitBehindAStatementStillInFlightIsSentAndTheNextStatementBeginsAgain() {
        Session s = session(false, 5);
        Execute insert = Execute.simple(s, "INSERT INTO t VALUES (1)", 0, null, null);
        send(insert, insert.start());
        Execute commit = Execute.endTransaction(s, true, null);
        Command c = send(commit, commit.start()); // pipelined behind the INSERT, as the async connection does
        Execute next = Execute.simple(s, "SELECT 1", 0, null, null);
        send(next, next.start());
        assertThat(written()).containsExactly("Q:BEGIN", "Q:INSERT INTO t VALUES (1)", "Q:COMMIT", "Q:BEGIN", "Q:SELECT 1");

        feed(BackendBytes.reply().tag("BEGIN").ready('T').tag("INSERT 0 1").ready('T').error("40001", "could not serialize")
                .ready('I'));
        assertThat(c.isDone()).isTrue();
        assertThat(commit.resume(null)).isNull();
        assertThat(commit.failure().sqlstate()).isEqualTo("40001");
        assertThat(commit.commits()).isTrue();
    }

    private static List<BoundParams> sets(int n) {
        List<BoundParams> sets = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            sets.add(oneInt(i).get(0));
        }
        return sets;
    }

    @Test
    void executemanyWithReturningIsNotRewrittenDescribesEverySetAndKeepsTheRowsOfEach() {
        Session s = session(true, 5);
        ExecuteMany op = ExecuteMany.of(s, "INSERT INTO t (id) VALUES ($1) RETURNING id", sets(2), 0, true, null);
        send(op, op.start());
        assertThat(written()).containsExactly("P:/INSERT INTO t (id) VALUES ($1) RETURNING id", "B", "D", "E", "B", "D",
                "E", "S");

        feed(BackendBytes.reply().parseComplete().bindComplete().rows("id", "23").row("1").tag("INSERT 0 1")
                .bindComplete().rows("id", "23").row("2").tag("INSERT 0 1").ready('I'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
        assertThat(op.results()).hasSize(2).allSatisfy(r -> assertThat(r.rowCount()).isEqualTo(1));
    }

    @Test
    void executemanyWithoutReturningOfAStatementNotRewrittenDescribesNothingAndSyncsOnce() {
        Session s = session(true, 5);
        ExecuteMany op = ExecuteMany.of(s, "UPDATE t SET x = $1", sets(3), 0, false, null);
        send(op, op.start());
        assertThat(written()).containsExactly("P:/UPDATE t SET x = $1", "B", "E", "B", "E", "B", "E", "S");

        feed(BackendBytes.reply().parseComplete().bindComplete().tag("UPDATE 1").bindComplete().tag("UPDATE 0")
                .bindComplete().tag("UPDATE 2").ready('I'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
        assertThat(op.results()).hasSize(3);
    }

    @Test
    void aStatementIsPreparedOnceItRanPrepareThresholdTimesThenBoundWithoutParseOrDescribe() {
        Session s = session(true, 2);
        List<List<String>> writes = new ArrayList<>();
        List<ResultData> results = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Execute op = Execute.extended(s, "SELECT $1", oneInt(i), 0, null, true, null);
            send(op, op.start());
            List<String> sent = written();
            writes.add(sent);
            BackendBytes reply = BackendBytes.reply();
            if (sent.get(0).startsWith("P:")) {
                reply.parseComplete();
            }
            reply.bindComplete();
            if (sent.contains("D")) {
                reply.rows("?column?", "23");
            }
            feed(reply.row(Integer.toString(i)).tag("SELECT 1").ready('I'));
            assertThat(op.resume(null)).isNull();
            assertThat(op.failure()).isNull();
            results.add(op.results().get(0));
        }
        assertThat(writes).containsExactly(
                List.of("P:/SELECT $1", "B", "D", "E", "S"),
                List.of("P:/SELECT $1", "B", "D", "E", "S"),
                List.of("P:_tusk_0/SELECT $1", "B:_tusk_0", "D", "E", "S"),
                List.of("B:_tusk_0", "E", "S")); // the columns are known from the Describe before: none is sent
        ResultData last = results.get(3);
        assertThat(last.rowCount()).isEqualTo(1);
        assertThat(last.columns()).hasSize(1);
        assertThat(last.columns().get(0).typeOid()).isEqualTo(23);
    }
}
