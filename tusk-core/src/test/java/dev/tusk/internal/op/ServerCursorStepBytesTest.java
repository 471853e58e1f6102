package dev.tusk.internal.op;

import dev.tusk.Tusk;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BackendBytes;
import dev.tusk.internal.core.ColumnFactory.Description;
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
 * The server-cursor steps without a server, as {@link OperationBytesTest}: a protocol core fed with backend message
 * bytes, the test acting as the waiter. What each step sends, in which write, and what the cursor's state learns.
 */
@Timeout(10)
class ServerCursorStepBytesTest {
    private final ProtocolCore core = new ProtocolCore();
    private final ServerCursorState state = new ServerCursorState("c");

    private Session session(boolean autocommit) {
        return new Session(core, new PreparedStatements(5, 10), autocommit);
    }

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

    private static BackendBytes reply() {
        return BackendBytes.reply();
    }

    /** The frontend messages written since the last call: "Q:sql", "P:sql" (the statement's text), or the type. */
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
                case 'P' -> cstr(out, body + cstr(out, body).getBytes(StandardCharsets.UTF_8).length + 1);
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

    private ServerCursorStep declare(Session s, String query) {
        return ServerCursorStep.declare(s, state, Binder.SERVER, query, new Object[0], Tusk.adapters(), null);
    }

    /** Runs a DECLARE outside autocommit to its end: the transaction is open, the cursor declared. */
    private void declared(Session s) {
        ServerCursorStep op = declare(s, "SELECT g FROM t");
        send(op, op.start());
        BackendBytes r = written().contains("Q:BEGIN") ? reply().tag("BEGIN").ready('T') : reply();
        feed(r.parseComplete().bindComplete().msg('n', new byte[0])
                .tag("DECLARE CURSOR").ready('T').rows("g", "23").tag("FETCH 0").ready('T'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
    }

    @Test
    void declareSendsTheDeclareAndTheDescribingFetchInOneWriteAfterTheBegin() {
        Session s = session(false);
        state.withhold(true);
        state.scrollable(false);
        ServerCursorStep op = declare(s, "SELECT g FROM t");
        assertThat(state.rownumber()).isZero();
        Command cmd = send(op, op.start());
        assertThat(written()).containsExactly("Q:BEGIN", "P:DECLARE \"c\" NO SCROLL CURSOR WITH HOLD FOR SELECT g FROM t",
                "B", "D", "E", "S", "Q:FETCH FORWARD 0 FROM \"c\"");
        assertThat(op.first()).isNotSameAs(cmd); // the statement timeout runs from the BEGIN

        feed(reply().tag("BEGIN").ready('T').parseComplete().bindComplete().msg('n', new byte[0])
                .tag("DECLARE CURSOR").ready('T').rows("g", "23").tag("FETCH 0").ready('T'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
        assertThat(state.statusmessage()).isEqualTo("DECLARE CURSOR");
        assertThat(state.shape().columns()).extracting(c -> ((Description) c).name()).containsExactly("g");
        assertThat(state.declared()).isTrue();
    }

    @Test
    void aRefusedDeclareReportsItsOwnErrorAndLeavesTheCursorUndeclared() {
        Session s = session(true);
        ServerCursorStep op = declare(s, "SELECT * FROM nope");
        send(op, op.start());
        assertThat(written()).doesNotContain("Q:BEGIN").endsWith("Q:FETCH FORWARD 0 FROM \"c\"");
        feed(reply().error("42P01", "relation \"nope\" does not exist").ready('I')
                .error("34000", "cursor \"c\" does not exist").ready('I'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure().sqlstate()).isEqualTo("42P01");
        assertThat(state.declared()).isFalse();
    }

    @Test
    void declaringAgainClosesThePreviousPortalFirstInTheSameWrite() {
        Session s = session(false);
        declared(s);
        ServerCursorStep again = declare(s, "SELECT 2");
        send(again, again.start());
        List<String> w = written();
        assertThat(w.get(0)).startsWith("Q:DO $tusk$").contains("CLOSE c");
        assertThat(w.subList(1, w.size())).containsExactly("P:DECLARE \"c\" CURSOR WITHOUT HOLD FOR SELECT 2", "B", "D",
                "E", "S", "Q:FETCH FORWARD 0 FROM \"c\"");
    }

    @Test
    void aCursorWithoutHoldIsNotClosedOnceItsTransactionEnded() {
        Session s = session(false);
        declared(s);
        Execute commit = Execute.endTransaction(s, true, null);
        send(commit, commit.start());
        feed(reply().tag("COMMIT").ready('I'));
        commit.resume(null);
        written();
        ServerCursorStep close = ServerCursorStep.close(s, state, state.closing(), null);
        assertThat(close.start()).as("the portal went with its transaction").isNull();
        assertThat(close.failure()).isNull();
        assertThat(written()).isEmpty();
    }

    @Test
    void aHeldCursorIsClosedOutsideATransactionWithoutOpeningOne() {
        Session s = session(false);
        state.withhold(true);
        declared(s);
        Execute commit = Execute.endTransaction(s, true, null);
        send(commit, commit.start());
        feed(reply().tag("COMMIT").ready('I'));
        commit.resume(null);
        written();
        ServerCursorStep close = ServerCursorStep.close(s, state, state.closing(), null);
        send(close, close.start());
        List<String> w = written();
        assertThat(w).hasSize(1);
        assertThat(w.get(0)).startsWith("Q:DO $tusk$").contains("pg_cursors WHERE name = 'c'");
        assertThat(state.isClosed()).isTrue();
    }

    @Test
    void nothingIsClosedInAFailedTransaction() {
        Session s = session(false);
        declared(s);
        Execute bad = Execute.simple(s, "SELECT 1/0", 0, null, null);
        send(bad, bad.start());
        feed(reply().error("22012", "division by zero").ready('E'));
        bad.resume(null);
        written();
        ServerCursorStep close = ServerCursorStep.close(s, state, state.closing(), null);
        assertThat(close.start()).as("the rollback drops it").isNull();
        assertThat(written()).isEmpty();
    }

    @Test
    void aFetchWithoutExecuteLooksForACursorDeclaredBySqlThenAdoptsIt() {
        Session s = session(true);
        ServerCursorStep op = ServerCursorStep.fetch(s, state, 1, true, null);
        send(op, op.start());
        assertThat(written()).containsExactly("Q:SELECT 1 FROM pg_catalog.pg_cursors WHERE name = 'c'");
        feed(reply().rows("?column?", "23").row("1").tag("SELECT 1").ready('T'));
        Command fetch = op.resume(null);
        assertThat(fetch).isNotNull();
        send(op, fetch);
        assertThat(written()).containsExactly("Q:FETCH FORWARD 1 FROM \"c\"");
        feed(reply().rows("s", "23").row("7").tag("FETCH 1").ready('T'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isNull();
        assertThat(op.rows().rowCount()).isEqualTo(1);
        assertThat(state.rownumber()).isEqualTo(1);
        assertThat(state.shape().columns()).extracting(c -> ((Description) c).name()).containsExactly("s");
        assertThat(state.declared()).isTrue();
    }

    @Test
    void aFetchWithoutAnyCursorOfThatNameFailsWithoutFetching() {
        Session s = session(false);
        ServerCursorStep op = ServerCursorStep.fetch(s, state, -1, true, null);
        send(op, op.start());
        assertThat(written()).containsExactly("Q:SELECT 1 FROM pg_catalog.pg_cursors WHERE name = 'c'");
        feed(reply().rows("?column?", "23").tag("SELECT 0").ready('I'));
        assertThat(op.resume(null)).isNull();
        assertThat(op.failure()).isInstanceOf(ProgrammingException.class).hasMessageContaining("execute() first");
        assertThat(written()).as("nothing fails on the server").isEmpty();
    }

    @Test
    void fetchAndMoveKeepThePosition() {
        Session s = session(false);
        declared(s);
        ServerCursorStep all = ServerCursorStep.fetch(s, state, -1, true, null);
        send(all, all.start());
        assertThat(written()).containsExactly("Q:FETCH FORWARD ALL FROM \"c\"");
        feed(reply().rows("g", "23").row("1").row("2").tag("FETCH 2").ready('T'));
        all.resume(null);
        assertThat(state.rownumber()).isEqualTo(2);

        ServerCursorStep move = ServerCursorStep.move(s, state, 1, "absolute", null);
        send(move, move.start());
        assertThat(written()).containsExactly("Q:MOVE ABSOLUTE 1 FROM \"c\"");
        feed(reply().tag("MOVE 1").ready('T'));
        move.resume(null);
        assertThat(state.rownumber()).isEqualTo(1);
        assertThatThrownBy(() -> ServerCursorStep.move(s, state, 1, "sideways", null))
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("'relative' or 'absolute'");
    }

    @Test
    void everyStepButCloseIsRefusedInAPipeline() {
        Session s = session(true);
        declared(s);
        s.pipeline(new Session.Pipelining() {
            @Override
            public void sent(Command cmd) {
            }

            @Override
            public void failed(TuskException e) {
            }
        });
        assertThatThrownBy(() -> declare(s, "SELECT 1").start()).isInstanceOf(NotSupportedException.class)
                .hasMessageContaining("pipeline");
        state.declaring(); // the refused DECLARE left the cursor undeclared: declared again for the next steps
        assertThatThrownBy(() -> ServerCursorStep.fetch(s, state, 1, true, null).start())
                .isInstanceOf(NotSupportedException.class);
        assertThatThrownBy(() -> ServerCursorStep.move(s, state, 1, "relative", null).start())
                .isInstanceOf(NotSupportedException.class);
        assertThat(written()).isEmpty();
        assertThat(ServerCursorStep.close(s, state, state.closing(), null).syncsPipelineFirst()).isTrue();
    }
}
