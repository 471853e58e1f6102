package dev.tusk.internal.op;

import dev.tusk.TransactionStatus;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BackendBytes;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.query.PreparedStatements;
import dev.tusk.types.BuiltinAdapters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The COPY steps shared by {@code Copy} and {@code AsyncCopy}, without a server and without I/O: a protocol core
 * fed with backend message bytes, the test acting as the driver (send what the operation returns, feed the
 * replies). What they send and what they decide.
 */
@Timeout(10)
class CopyBytesTest {
    private final ProtocolCore core = new ProtocolCore();

    private Session session(boolean autocommit) {
        return new Session(core, new PreparedStatements(5, 10), autocommit);
    }

    private CopyCommand start(CopyOperation op) {
        CopyCommand cmd = op.start();
        core.send(cmd);
        return cmd;
    }

    private void feed(BackendBytes s) {
        byte[] b = s.bytes();
        core.input().append(b, 0, b.length);
        core.process();
    }

    /** The frontend messages written since the last call: {type, body}. */
    private List<Object[]> messages() {
        byte[] out = core.output().toByteArray();
        core.output().clear();
        List<Object[]> msgs = new ArrayList<>();
        for (int i = 0; i < out.length; ) {
            int len = ((out[i + 1] & 0xff) << 24) | ((out[i + 2] & 0xff) << 16) | ((out[i + 3] & 0xff) << 8) | (out[i + 4] & 0xff);
            msgs.add(new Object[] {(char) out[i], Arrays.copyOfRange(out, i + 5, i + 1 + len)});
            i += 1 + len;
        }
        return msgs;
    }

    /** The messages as "type" or "type:text body" (Q, d, f with their text). */
    private List<String> written() {
        List<String> out = new ArrayList<>();
        for (Object[] m : messages()) {
            char type = (char) m[0];
            byte[] body = (byte[]) m[1];
            String text = new String(body, StandardCharsets.UTF_8);
            out.add(switch (type) {
                case 'Q', 'f' -> type + ":" + text.substring(0, text.length() - 1);
                case 'd' -> type + ":" + text;
                default -> String.valueOf(type);
            });
        }
        return out;
    }

    @Test
    void copyOutsideAutocommitSendsBeginFirstInTheSameWriteAndPausesAtCopyIn() {
        Session s = session(false);
        CopyOperation op = new CopyOperation(s, "COPY t FROM STDIN");
        CopyCommand cmd = start(op);
        assertThat(written()).containsExactly("Q:BEGIN", "Q:COPY t FROM STDIN");
        assertThat(s.expected()).isEqualTo(TransactionStatus.INTRANS);

        feed(BackendBytes.reply().tag("BEGIN").ready('T').copyIn(0, 2));
        assertThat(cmd.isDone()).isFalse();
        assertThat(cmd.wantsPause()).as("the server waits for the data: the driver's turn").isTrue();
        assertThat(op.startFailure(null)).isNull();
        assertThat(op.in()).isTrue();
        assertThat(op.binary()).isFalse();
        assertThat(op.textRowsRefusal(false, "read()")).as("text rows of a text COPY").isNull();
        assertThat(op.textRowsRefusal(true, "read()")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("would ignore setTypes()");
        assertThat(op.wrongDirection("read", false)).hasMessageContaining("read() needs a COPY ... TO STDOUT");
        assertThat(op.wrongDirection("writeRow", true)).isNull();
    }

    @Test
    void finishingACopyFromSendsTheRowsThenCopyDoneAndTheTagGivesTheRowcount() {
        Session s = session(true);
        CopyOperation op = new CopyOperation(s, "COPY t FROM STDIN");
        CopyCommand cmd = start(op);
        assertThat(written()).containsExactly("Q:COPY t FROM STDIN");
        feed(BackendBytes.reply().copyIn(0, 2));

        CopyRows rows = new CopyRows(op.binary(), BuiltinAdapters.newMap());
        rows.writeRow(new Object[] {1, "a\tb"});
        rows.writeRow(new Object[] {2, null});
        op.finishInput(core.output(), rows);
        assertThat(written()).containsExactly("d:1\ta\\tb\n2\t\\N\n", "c");
        assertThat(cmd.wantsPause()).isFalse();

        feed(BackendBytes.reply().tag("COPY 2").ready('I'));
        assertThat(cmd.isDone()).isTrue();
        assertThat(op.failure(null)).isNull();
        assertThat(op.rowcount()).isEqualTo(2);
        assertThat(cmd.dataBytes()).isEqualTo("1\ta\\tb\n2\t\\N\n".length());
    }

    @Test
    void textRowsWriteBuiltInStringsDirectlyAndAnApplicationsStringDumperThroughIt() {
        CopyRows builtin = new CopyRows(false, BuiltinAdapters.newMap());
        // the direct path (no buffer per value) names the COPY in its NUL refusal; the dumper's would not
        assertThatThrownBy(() -> builtin.writeRow(new Object[] {"a\0b"})).hasMessageContaining("in a COPY value");
        builtin.writeRow(new Object[] {"x\ty"});
        assertThat(new String(builtin.take(), StandardCharsets.UTF_8)).isEqualTo("x\\ty\n");

        dev.tusk.adapt.AdaptersMap custom = BuiltinAdapters.newMap();
        custom.registerDumper(String.class, dev.tusk.types.Codecs.<String>textDumper(0, v -> v + "!"));
        CopyRows rows = new CopyRows(false, custom);
        rows.writeRow(new Object[] {"x\ty", null});
        assertThat(new String(rows.take(), StandardCharsets.UTF_8)).isEqualTo("x\\ty!\t\\N\n");
    }

    @Test
    void anEmptyBinaryCopyFromSendsTheHeaderAndTrailerButRawDataBringsItsOwn() {
        CopyRows empty = new CopyRows(true, BuiltinAdapters.newMap());
        empty.writeTrailer();
        byte[] data = empty.take();
        assertThat(data).hasSize(11 + 8 + 2);
        assertThat(new String(data, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("PGCOPY");

        CopyRows raw = new CopyRows(true, BuiltinAdapters.newMap());
        raw.write(new byte[] {1, 2, 3}, 0, 3);
        raw.writeTrailer();
        assertThat(raw.take()).containsExactly(1, 2, 3);
    }

    @Test
    void aBinaryCopyFromEndsWithTheTrailerBeforeCopyDone() {
        CopyOperation op = new CopyOperation(session(true), "COPY t FROM STDIN (FORMAT binary)");
        start(op);
        messages();
        feed(BackendBytes.reply().copyIn(1, 1));
        assertThat(op.binary()).isTrue();
        assertThat(op.textRowsRefusal(false, "chunks()")).isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("binary COPY does not have").hasMessageContaining("or chunks() for the raw bytes");

        CopyRows rows = new CopyRows(true, BuiltinAdapters.newMap());
        rows.writeRow(new Object[] {7});
        op.finishInput(core.output(), rows);
        List<Object[]> msgs = messages();
        assertThat(msgs).extracting(m -> m[0]).containsExactly('d', 'c');
        byte[] data = (byte[]) msgs.get(0)[1];
        assertThat(new String(data, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("PGCOPY");
        // signature 11 + flags 4 + extension 4, field count 2, length 4, int4 4, trailer 2
        assertThat(data).hasSize(11 + 8 + 2 + 4 + 4 + 2);
        assertThat(Arrays.copyOfRange(data, data.length - 2, data.length)).containsExactly(0xff, 0xff);
    }

    @Test
    void copyFailSendsTheReasonDropsWhatWasCollectedAndTheServersErrorEndsTheCopy() {
        CopyOperation op = new CopyOperation(session(true), "COPY t FROM STDIN");
        CopyCommand cmd = start(op);
        messages();
        feed(BackendBytes.reply().copyIn(0, 1));
        CopyRows rows = new CopyRows(false, BuiltinAdapters.newMap());
        rows.writeRow(new Object[] {"never sent"});

        op.failInput(core.output(), rows, null);
        assertThat(written()).containsExactly("f:aborted by the client");
        assertThat(rows.size()).isZero();

        feed(BackendBytes.reply().error("57014", "COPY from stdin failed: aborted by the client").ready('I'));
        assertThat(cmd.isDone()).isTrue();
        assertThat(op.failure(null)).isInstanceOf(QueryCanceled.class);
        assertThat(op.rowcount()).isEqualTo(-1);
        op.failInput(core.output(), rows, "again");
        op.finishInput(core.output(), rows);
        assertThat(written()).as("nothing once the server ended the COPY").isEmpty();
    }

    @Test
    void theStatementTimeoutNamesTheErrorOfACopyItCancelled() {
        CopyOperation op = new CopyOperation(session(true), "COPY t FROM STDIN");
        start(op);
        feed(BackendBytes.reply().copyIn(0, 1));
        op.failInput(core.output(), null, "cancelled");
        feed(BackendBytes.reply().error("57014", "canceling statement due to user request").ready('I'));
        TuskException e = op.failure(Duration.ofMillis(250));
        assertThat(e).isInstanceOf(QueryCanceled.class).hasMessageContaining("250");
    }

    @Test
    void copyToQueuesTheChunksCountsTheirBytesAndEndsWithTheRowcount() {
        CopyOperation op = new CopyOperation(session(true), "COPY t TO STDOUT");
        CopyCommand cmd = start(op);
        feed(BackendBytes.reply().copyOut(0, 1));
        assertThat(op.startFailure(null)).isNull();
        assertThat(op.in()).isFalse();
        assertThat(op.wrongDirection("writeRow", true)).hasMessageContaining("writeRow() needs a COPY ... FROM STDIN")
                .hasMessageContaining("COPY t TO STDOUT");

        feed(BackendBytes.reply().data("1\n").data("22\n").copyDone().tag("COPY 2").ready('I'));
        assertThat(new String(cmd.nextChunk(), StandardCharsets.UTF_8)).isEqualTo("1\n");
        assertThat(new String(cmd.nextChunk(), StandardCharsets.UTF_8)).isEqualTo("22\n");
        assertThat(cmd.nextChunk()).isNull();
        assertThat(cmd.isDone()).isTrue();
        assertThat(op.failure(null)).isNull();
        assertThat(op.rowcount()).isEqualTo(2);
        assertThat(cmd.dataBytes()).isEqualTo(5);
    }

    @Test
    void aStatementThatIsNotACopyFailsTheStart() {
        CopyOperation op = new CopyOperation(session(true), "");
        CopyCommand cmd = start(op);
        feed(BackendBytes.reply().emptyQuery().ready('I'));
        assertThat(cmd.isDone()).isTrue();
        assertThat(op.startFailure(null)).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("copy() needs a COPY ... FROM STDIN or TO STDOUT statement");
    }

    @Test
    void aFailedBeginIsTheErrorTheStartReports() {
        CopyOperation op = new CopyOperation(session(false), "COPY t FROM STDIN");
        start(op);
        feed(BackendBytes.reply().error("25001", "begin failed").ready('E').copyIn(0, 1));
        assertThat(op.startFailure(null)).hasMessageContaining("begin failed");
    }

    @Test
    void aCopyInAPipelineIsRefusedBeforeAnythingIsSent() {
        Session s = session(true);
        s.pipeline(new Session.Pipelining() {
            @Override
            public void sent(dev.tusk.internal.core.Command cmd) {
            }

            @Override
            public void failed(TuskException e) {
            }
        });
        CopyOperation op = new CopyOperation(s, "COPY t FROM STDIN");
        assertThatThrownBy(op::start).hasMessageContaining("pipeline");
        assertThat(written()).isEmpty();
    }

    @Test
    void aCopyAfterPrepareTransactionIsRefusedBeforeAnythingIsSent() {
        Session s = session(false);
        s.beforeStatement(() -> {
            throw new ProgrammingException("prepared");
        });
        CopyOperation op = new CopyOperation(s, "COPY t FROM STDIN");
        assertThatThrownBy(op::start).hasMessage("prepared");
        assertThat(written()).isEmpty();
    }
}
