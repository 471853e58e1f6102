package dev.tusk.internal.core;

import dev.tusk.Notify;
import dev.tusk.errors.DataException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The core with byte fixtures and no server: what it writes, and what it makes of what it reads. */
class ProtocolCoreTest {
    private final ProtocolCore core = new ProtocolCore();

    private void feed(byte[] bytes) {
        core.input().append(bytes, 0, bytes.length);
        core.process();
    }

    @Test
    void simpleQueryIsOneQueryMessage() {
        core.send(new SimpleQuery("SELECT 1"));
        byte[] out = core.output().toByteArray();
        assertThat(out[0]).isEqualTo((byte) 'Q');
        assertThat(out.length).isEqualTo(1 + 4 + "SELECT 1".length() + 1);
        assertThat(((out[1] & 0xff) << 24) | ((out[2] & 0xff) << 16) | ((out[3] & 0xff) << 8) | (out[4] & 0xff))
                .isEqualTo(4 + 9);
    }

    @Test
    void extendedQueryWritesParseBindDescribeExecuteSyncInOneBuffer() {
        core.send(new ExtendedQuery("SELECT $1", "", true, BoundParams.NONE, 0, true));
        byte[] out = core.output().toByteArray();
        List<Character> types = new ArrayList<>();
        for (int i = 0; i < out.length; ) {
            types.add((char) out[i]);
            int len = ((out[i + 1] & 0xff) << 24) | ((out[i + 2] & 0xff) << 16) | ((out[i + 3] & 0xff) << 8) | (out[i + 4] & 0xff);
            i += 1 + len;
        }
        assertThat(types).containsExactly('P', 'B', 'D', 'E', 'S');
    }

    @Test
    void aHandlersErrorBreaksTheConnectionAndNothingIsReadAfterIt() {
        core.session().notifySink((channel, payload, pid) -> {
            throw new AssertionError("the handler's own");
        });
        SimpleQuery q = new SimpleQuery("SELECT");
        core.send(q);
        byte[] reply = BackendBytes.reply().rows("a", "23").notification(1, "ch", "p").row("1").tag("SELECT 1")
                .ready('I').bytes();
        core.input().append(reply, 0, reply.length);
        assertThatThrownBy(core::process).isInstanceOf(AssertionError.class);
        // the rest of the reply stays buffered; whoever reads next (the event loop) gets the reason it broke, not a
        // protocol violation for a DataRow whose command was failed
        assertThatThrownBy(core::process).isInstanceOf(OperationalException.class)
                .hasMessageContaining("a notify handler").hasMessageContaining("threw java.lang.AssertionError");
        assertThat(q.isDone()).isTrue();
        assertThat(core.isBroken()).isTrue();
    }

    @Test
    void resultRowsAndTagAreCollected() {
        SimpleQuery q = new SimpleQuery("SELECT");
        core.send(q);
        feed(BackendBytes.reply().rows("a", "23", "b", "25").row("1", "x").row("2", null)
                .tag("SELECT 2").ready('I').bytes());
        assertThat(q.isDone()).isTrue();
        assertThat(q.error()).isNull();
        ResultData r = q.results().get(0);
        assertThat(r.rowCount()).isEqualTo(2);
        assertThat(r.length(1, 1)).isEqualTo(-1);
        assertThat(new String(r.data(0), r.offset(0, 1), r.length(0, 1))).isEqualTo("x");
        assertThat(r.affectedRows()).isEqualTo(2);
    }

    @Test
    void aCommandTagLikeTheLastOneIsReadAsItself() {
        // the core keeps the last tag and compares the next one's bytes with it: a tag that begins like it, one it
        // begins like, and the same again must each read as sent
        String[] tags = {"SELECT 1", "SELECT 1", "SELECT 10", "SELECT 1", "SELECT", "SELECT 1", "INSERT 0 1", "", "SELECT 1"};
        for (String tag : tags) {
            SimpleQuery q = new SimpleQuery("x");
            core.send(q);
            feed(BackendBytes.reply().tag(tag).ready('I').bytes());
            assertThat(q.results().get(0).commandTag()).isEqualTo(tag);
        }
        SimpleQuery q = new SimpleQuery("x");
        core.send(q);
        byte[] reply = BackendBytes.reply().tag("SELECT 1").ready('I').bytes();
        for (byte b : reply) { // the same tag again, its bytes arriving one at a time
            feed(new byte[] {b});
        }
        assertThat(q.results().get(0).commandTag()).isEqualTo("SELECT 1");
        assertThat(q.results().get(0).affectedRows()).isEqualTo(1);
    }

    @Test
    void resultsAreKeptInOrderWhetherTheListIsAskedForEarlyOrLate() {
        SimpleQuery late = new SimpleQuery("SELECT 1; SELECT 2; SELECT 3");
        core.send(late);
        feed(BackendBytes.reply().rows("a", "23").row("1").tag("SELECT 1").rows("b", "23").row("2").tag("SELECT 1")
                .rows("c", "23").row("3").tag("SELECT 1").ready('I').bytes());
        assertThat(late.resultCount()).isEqualTo(3);
        assertThat(late.results()).hasSize(3);
        assertThat(firstValue(late.result(2))).isEqualTo("3");

        SimpleQuery early = new SimpleQuery("SELECT 1; SELECT 2");
        core.send(early);
        feed(BackendBytes.reply().rows("a", "23").row("1").tag("SELECT 1").bytes());
        List<ResultData> live = early.results(); // asked for while results still arrive: later ones join it
        assertThat(live).hasSize(1);
        feed(BackendBytes.reply().rows("b", "23").row("2").tag("SELECT 1").ready('I').bytes());
        assertThat(live).hasSize(2);
        assertThat(firstValue(early.result(1))).isEqualTo("2");
        assertThat(early.results()).isSameAs(live);

        SimpleQuery none = new SimpleQuery("");
        core.send(none);
        feed(BackendBytes.reply().emptyQuery().ready('I').bytes());
        assertThat(none.resultCount()).isZero();
        assertThat(none.results()).isEmpty();
        assertThatThrownBy(() -> none.result(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static String firstValue(ResultData r) {
        return new String(r.data(0), r.offset(0, 0), r.length(0, 0));
    }

    @Test
    void messagesSplitAtEveryByteGiveTheSameResult() {
        byte[] all = BackendBytes.reply().rows("a", "23").row("42").tag("SELECT 1")
                .ready('T').bytes();
        SimpleQuery q = new SimpleQuery("SELECT");
        core.send(q);
        for (byte b : all) {
            feed(new byte[] {b});
        }
        assertThat(q.isDone()).isTrue();
        assertThat(q.results().get(0).rowCount()).isEqualTo(1);
        assertThat(core.session().transactionStatus()).isEqualTo('T');
    }

    @Test
    void serverErrorFailsTheCommandButItRunsToReadyForQuery() {
        SimpleQuery q = new SimpleQuery("SELECT 1/0");
        core.send(q);
        feed(BackendBytes.reply().error("22012", "division by zero", "ERROR").bytes());
        assertThat(q.isDone()).isFalse();
        feed(BackendBytes.reply().ready('E').bytes());
        assertThat(q.isDone()).isTrue();
        assertThat(q.error()).isInstanceOf(DataException.class).hasMessageContaining("division by zero");
        assertThat(q.error().sqlstate()).isEqualTo("22012");
        assertThat(core.isBroken()).isFalse();
    }

    @Test
    void commandsInFlightCompleteInOrder() {
        SimpleQuery a = new SimpleQuery("A");
        SimpleQuery b = new SimpleQuery("B");
        core.send(a);
        core.send(b);
        feed(BackendBytes.reply().tag("BEGIN").ready('T').bytes());
        assertThat(a.isDone()).isTrue();
        assertThat(b.isDone()).isFalse();
        feed(BackendBytes.reply().tag("COMMIT").ready('I').bytes());
        assertThat(b.isDone()).isTrue();
        assertThat(b.results().get(0).commandTag()).isEqualTo("COMMIT");
    }

    @Test
    void asynchronousMessagesAreHandledWhateverTheHeadCommand() {
        List<Notify> got = new ArrayList<>();
        core.session().notifySink((channel, payload, pid) -> got.add(new Notify(channel, payload, pid)));
        SimpleQuery q = new SimpleQuery("SELECT");
        core.send(q);
        feed(BackendBytes.reply().notification(7, "ch", "hello").parameterStatus("TimeZone", "Europe/Rome")
                .tag("SELECT 0").ready('I').bytes());
        assertThat(got).containsExactly(new Notify("ch", "hello", 7));
        assertThat(core.session().parameter("TimeZone")).isEqualTo("Europe/Rome");
        assertThat(q.isDone()).isTrue();
    }

    @Test
    void copyThroughExecuteIsRefusedAndTheServerToldToStop() {
        SimpleQuery q = new SimpleQuery("COPY t FROM STDIN");
        core.send(q);
        core.output().clear();
        feed(BackendBytes.reply().msg('G', new BackendBytes.Body().b(0).i16(0).bytes()).bytes());
        assertThat(core.output().toByteArray()[0]).isEqualTo((byte) 'f'); // CopyFail
        feed(BackendBytes.reply().error("57014", "COPY from stdin failed", "ERROR").ready('I').bytes());
        assertThat(q.error()).isInstanceOf(ProgrammingException.class).hasMessageContaining("copy(");
    }

    @Test
    void lostConnectionFailsEveryQueuedCommand() {
        SimpleQuery a = new SimpleQuery("A");
        SimpleQuery b = new SimpleQuery("B");
        core.send(a);
        core.send(b);
        core.connectionLost(new OperationalException("gone"));
        assertThat(a.isDone()).isTrue();
        assertThat(b.error()).hasMessage("gone");
        SimpleQuery c = new SimpleQuery("C");
        core.send(c);
        assertThat(c.isDone()).isTrue();
        assertThat(c.error()).hasMessage("gone");
    }

    @Test
    void dataRowWithWrongColumnCountIsAProtocolViolation() {
        core.send(new SimpleQuery("SELECT"));
        byte[] bad = BackendBytes.reply().rows("a", "23").row("1", "2").bytes();
        assertThatThrownBy(() -> feed(bad)).isInstanceOf(OperationalException.class).hasMessageContaining("protocol violation");
        assertThat(core.isBroken()).isTrue();
    }

    @Test
    void unexpectedMessageWhileIdleIsAProtocolViolation() {
        byte[] bad = BackendBytes.reply().tag("SELECT 1").bytes();
        assertThatThrownBy(() -> feed(bad)).isInstanceOf(OperationalException.class).hasMessageContaining("no command was waiting");
    }

    @Test
    void fatalErrorWhileIdleIsKeptAsTheReason() {
        feed(BackendBytes.reply().error("57P01", "terminating connection due to administrator command", "FATAL").bytes());
        assertThat(core.fatalWhileIdle().sqlstate()).isEqualTo("57P01");
    }
}
