package dev.tusk;

import dev.tusk.internal.observe.Observer;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TuskListener;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TuskListener#statementComment}: the comment a listener adds to a statement's text reaches the server. */
@TuskTest
@Timeout(60)
class StatementCommentTest {

    /** Comments every statement with {@code comment}, and says what it was asked about. */
    static final class Commenter implements TuskListener {
        final String comment;
        volatile Object contextSeen;

        Commenter(String comment) {
            this.comment = comment;
        }

        @Override
        public Object statementStarted(StatementStart start, Object parent) {
            return "ctx";
        }

        @Override
        public String statementComment(StatementStart start, Object context) {
            contextSeen = context;
            return comment;
        }
    }

    private static ConnectOptions<Row> with(TestDatabase db, TuskListener... ls) {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(db.conninfo());
        for (TuskListener l : ls) {
            b.listener(l);
        }
        return b.build();
    }

    @Test
    void theCommentsOfTheListenersReachTheServerOnBothDrivers(TestDatabase db) {
        Commenter a = new Commenter("app='a'");
        Commenter b = new Commenter("route='%2Fx'");
        try (Connection<Row> conn = Connection.connect(with(db, a, b))) {
            assertThat(conn.execute("SELECT current_query()").fetchone().getString(0))
                    .isEqualTo("SELECT current_query() /*app='a',route='%2Fx'*/");
            assertThat(conn.execute("SELECT current_query(), %s::int", 1).fetchone().getString(0))
                    .isEqualTo("SELECT current_query(), $1::int /*app='a',route='%2Fx'*/");
        }
        assertThat(a.contextSeen).as("each listener gets its own context").isEqualTo("ctx");
        AsyncConnection<Row> conn = AsyncConnection.connect(with(db, a)).join();
        try {
            assertThat(conn.execute("SELECT current_query()").join().fetchone().getString(0))
                    .isEqualTo("SELECT current_query() /*app='a'*/");
        } finally {
            conn.close();
        }
    }

    @Test
    void aCommentThatWouldEndItsCommentIsNotSentAndTheStatementRuns(TestDatabase db) {
        Commenter evil = new Commenter("x'*/ DROP TABLE t; /*");
        try (Connection<Row> conn = Connection.connect(with(db, evil))) {
            assertThat(conn.execute("SELECT current_query()").fetchone().getString(0)).isEqualTo("SELECT current_query()");
        }
    }

    @Test
    void aPipelinedStatementCarriesItsComment(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(with(db, new Commenter("k='v'")))) {
            Cursor<Row> c;
            try (Pipeline p = conn.pipeline()) {
                c = conn.execute("SELECT current_query()");
            }
            assertThat(c.fetchone().getString(0)).isEqualTo("SELECT current_query() /*k='v'*/");
        }
    }

    @Test
    void theCommentGoesBeforeAFinalSemicolonAndNeverIntoATextWithACommentOfItsOwn() {
        assertThat(Observer.withComment("SELECT 1;  ", "k='v'")).isEqualTo("SELECT 1 /*k='v'*/;  ");
        assertThat(Observer.withComment("SELECT 1", "k='v'")).isEqualTo("SELECT 1 /*k='v'*/");
        assertThat(Observer.withComment("SELECT 1 -- mine", "k='v'")).isEqualTo("SELECT 1 -- mine");
        assertThat(Observer.withComment("SELECT /* mine */ 1", "k='v'")).isEqualTo("SELECT /* mine */ 1");
        assertThat(Observer.withComment("SELECT 1", null)).isEqualTo("SELECT 1");
    }
}
