package dev.tusk.internal.op;

import dev.tusk.errors.DivisionByZero;
import dev.tusk.internal.core.BackendBytes;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;
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
 * The rules of a stream ({@link StreamStep}) without a server and without I/O: a protocol core fed with backend
 * message bytes, the test acting as RowStream (send what the step returns, feed the replies, hand over the wait).
 */
@Timeout(10)
class StreamStepBytesTest {
    private final ProtocolCore core = new ProtocolCore();

    private Session session(boolean autocommit, Integer prepareThreshold) {
        return new Session(core, new PreparedStatements(prepareThreshold, 10), autocommit);
    }

    private void feed(BackendBytes s) {
        byte[] b = s.bytes();
        core.input().append(b, 0, b.length);
        core.process();
    }

    private QueryCommand send(StreamStep step, QueryCommand cmd) {
        core.send(cmd);
        step.sent(cmd);
        return cmd;
    }

    private static List<BoundParams> oneInt(int v) {
        byte[] value = Integer.toString(v).getBytes(StandardCharsets.US_ASCII);
        return List.of(new BoundParams(new int[] {23}, new int[] {0}, new ByteBuffer[] {ByteBuffer.wrap(value)}));
    }

    private static int rows(List<ResultData> results) {
        int n = 0;
        for (ResultData r : results) {
            n += r.rowCount();
        }
        return n;
    }

    @Test
    void aPlainStreamOutsideAutocommitBeginsFirstAndReadsItsRowsInChunks() {
        Session s = session(false, 5);
        StreamStep step = StreamStep.plain(s, new SimpleQuery("SELECT generate_series(1, 3)"));
        send(step, step.start());
        assertThat(s.expected()).isEqualTo(dev.tusk.TransactionStatus.INTRANS); // the BEGIN went first
        assertThat(step.waitsUnderConnectionTimeout()).isTrue();

        feed(BackendBytes.reply().tag("BEGIN").ready('T').rows("g", "23").row("1").row("2").row("3")
                .tag("SELECT 3").ready('T'));
        List<ResultData> got = new ArrayList<>();
        assertThat(step.read(null, got)).isNull();
        assertThat(step.finished()).isTrue();
        assertThat(rows(got)).isEqualTo(3);
        assertThat(step.takeFailure()).isNull();
    }

    @Test
    void aStreamsErrorIsKeptForAfterTheRowsThatCameBeforeIt() {
        Session s = session(true, null);
        StreamStep step = StreamStep.of(s, Execute.extended(s, "SELECT 1/(2 - $1)", oneInt(1), 0, null, true, null),
                null, false);
        send(step, step.start());
        feed(BackendBytes.reply().parseComplete().bindComplete().rows("x", "23").row("1")
                .error("22012", "division by zero").ready('I'));
        List<ResultData> got = new ArrayList<>();
        step.read(null, got);
        assertThat(step.finished()).isTrue();
        assertThat(step.failsAtOnce()).isFalse();
        assertThat(rows(got)).isEqualTo(1);
        assertThat(step.takeFailure()).isInstanceOf(DivisionByZero.class);
        assertThat(step.takeFailure()).isNull(); // raised once
    }

    @Test
    void eachWaitGetsWhatIsLeftOfTheTimeoutAndOnceItFiredTheServerHasItAgainOnce() {
        Session s = session(true, null);
        StreamStep step = StreamStep.of(s, Execute.extended(s, "SELECT $1", oneInt(1), 0, null, true, null),
                Duration.ofSeconds(1), false);
        send(step, step.start());
        assertThat(step.nextWait()).isEqualTo(Duration.ofSeconds(1));
        step.waited(Duration.ofMillis(400).toNanos());
        step.read(null, new ArrayList<>());
        assertThat(step.nextWait()).isEqualTo(Duration.ofMillis(600));
        step.waited(Duration.ofMillis(600).toNanos());
        assertThat(step.nextWait()).isEqualTo(Duration.ofMillis(1)); // never less than 1 ms
        step.read(Duration.ofSeconds(1), new ArrayList<>()); // the timeout fired: the statement was cancelled
        assertThat(step.nextWait()).isEqualTo(Duration.ofSeconds(1));
        step.waited(Duration.ofMillis(300).toNanos());
        step.read(Duration.ofSeconds(1), new ArrayList<>());
        assertThat(step.nextWait()).isEqualTo(Duration.ofMillis(700)); // the grace comes once
    }

    @Test
    void aStalePlanBeforeAnyRowIsSentAgainAndItsRowsAreStreamedInstead() {
        Session s = session(false, 0);
        StreamStep step = StreamStep.of(s, Execute.extended(s, "SELECT * FROM t WHERE id = $1", oneInt(1), 0, null,
                true, null), null, false);
        QueryCommand first = send(step, step.start());
        feed(BackendBytes.reply().tag("BEGIN").ready('T')
                .error("0A000", "cached plan must not change result type").ready('E'));
        List<ResultData> got = new ArrayList<>();
        QueryCommand again = step.read(null, got);
        assertThat(again).isNotNull().isNotSameAs(first).isSameAs(step.command());
        assertThat(step.finished()).isFalse();
        send(step, again);
        feed(BackendBytes.reply().tag("ROLLBACK").ready('I').tag("BEGIN").ready('T')
                .parseComplete().bindComplete().rows("id", "23").row("1").tag("SELECT 1").ready('T'));
        assertThat(step.read(null, got)).isNull();
        assertThat(step.finished()).isTrue();
        assertThat(step.takeFailure()).isNull();
        assertThat(rows(got)).isEqualTo(1);
    }

    @Test
    void discardingARunningStreamDropsItsRowsAndHandsTheStatementToAbandon() {
        Session s = session(true, null);
        StreamStep step = StreamStep.of(s, Execute.extended(s, "SELECT $1", oneInt(1), 0, null, true, null), null, false);
        QueryCommand cmd = send(step, step.start());
        QueryCommand running = step.discard();
        assertThat(running).isSameAs(cmd);
        assertThat(step.finished()).isTrue();
        feed(BackendBytes.reply().parseComplete().bindComplete().rows("x", "23").row("1").tag("SELECT 1").ready('I'));
        assertThat(cmd.isDone()).isTrue();
        assertThat(rows(cmd.drainStreamed())).isZero(); // dropped as they arrived
        assertThat(step.discarded()).isNull(); // settled: nothing sent again
    }

    @Test
    void discardingAStreamThatHadEndedAbandonsNothing() {
        Session s = session(true, null);
        StreamStep step = StreamStep.plain(s, new SimpleQuery("SELECT 1"));
        send(step, step.start());
        feed(BackendBytes.reply().rows("x", "23").row("1").tag("SELECT 1").ready('I'));
        assertThat(step.discard()).isNull();
        assertThat(step.discarded()).isNull();
        assertThat(step.keepsRest()).isFalse();
    }

    private static List<String> texts(ResultData d) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < d.rowCount(); r++) {
            out.add(new String(d.data(r), d.offset(r, 0), d.length(r, 0), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void aSpareHolderOfPassedRowsTakesTheRowsThatFollowInPlaceOfFreshStorage() {
        Session s = session(true, null);
        StreamStep step = StreamStep.plain(s, new SimpleQuery("SELECT v FROM t"));
        step.chunkRows(2);
        send(step, step.start());
        feed(BackendBytes.reply().rows("v", "25").row("a-first-long-value").row("b").row("c3").row("d4")
                .row("e").row("f-sixth").tag("SELECT 6").ready('I'));
        List<ResultData> got = new ArrayList<>();
        assertThat(step.read(null, got, null)).isNull();
        ResultData first = got.get(0);
        assertThat(texts(first)).containsExactly("a-first-long-value", "b");
        byte[] storage = first.data(0);

        core.process(); // the input resumes: rows 3 and 4
        got.clear();
        step.read(null, got, first); // the consumer passed the first rows: their holder takes rows 5 and 6
        assertThat(got).hasSize(1).doesNotContain(first);
        assertThat(texts(got.get(0))).containsExactly("c3", "d4");

        core.process();
        got.clear();
        step.read(null, got, null);
        assertThat(got).hasSize(1);
        assertThat(got.get(0)).isSameAs(first);
        assertThat(first.data(0)).isSameAs(storage); // written over, not allocated again
        assertThat(texts(first)).containsExactly("e", "f-sixth");
        assertThat(first.commandTag()).isNull(); // its old tag is gone: the statement's comes with the end

        core.process();
        got.clear();
        step.read(null, got, null);
        assertThat(step.finished()).isTrue();
        assertThat(rows(got)).isZero();
        assertThat(got.get(got.size() - 1).commandTag()).isEqualTo("SELECT 6");
    }

    @Test
    void aSpareHolderOfOtherColumnsIsNotUsed() {
        Session s = session(true, null);
        StreamStep other = StreamStep.plain(s, new SimpleQuery("SELECT w FROM u"));
        send(other, other.start());
        feed(BackendBytes.reply().rows("w", "23").row("7").tag("SELECT 1").ready('I'));
        List<ResultData> got = new ArrayList<>();
        other.read(null, got);
        ResultData foreign = got.get(0);

        StreamStep step = StreamStep.plain(s, new SimpleQuery("SELECT v FROM t"));
        step.chunkRows(1);
        send(step, step.start());
        feed(BackendBytes.reply().rows("v", "25").row("x").row("y").tag("SELECT 2").ready('I'));
        got.clear();
        step.read(null, got, foreign);
        core.process();
        got.clear();
        step.read(null, got, null);
        assertThat(got).doesNotContain(foreign);
        assertThat(texts(foreign)).containsExactly("7");
        assertThat(rows(got)).isEqualTo(1);
    }
}
