package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typed settings and server cursors; on AsyncConnection: AsyncServerSettingsTest and AsyncServerCursorTest. */
@TuskTest
class ServerStateTest {

    @Test
    void settingsAreTyped(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Setting wm = conn.settings().get("work_mem");
            assertThat(wm.unit()).isEqualTo("kB");
            assertThat(wm.vartype()).isEqualTo("integer");
            assertThat(wm.context()).isEqualTo("user");
            assertThat(wm.minValue()).isNotNull();
            Setting level = conn.settings().get("client_min_messages");
            assertThat(level.vartype()).isEqualTo("enum");
            assertThat(level.enumValues()).contains("notice", "warning");
            assertThat(conn.settings().set("work_mem", "64MB", false)).isEqualTo("64MB");
            assertThat(conn.settings().get("work_mem").longValue()).isEqualTo(64 * 1024);
            assertThat(conn.settings().get("work_mem").source()).isEqualTo("session");
            assertThat(conn.settings().all()).containsKeys("work_mem", "search_path", "max_connections");
            assertThatThrownBy(() -> conn.settings().get("no_such_thing")).isInstanceOf(ProgrammingException.class);
        }
    }

    @Test
    void localSettingsEndWithTheTransaction(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            conn.settings().set("statement_timeout", "1234", true);
            assertThat(conn.settings().show("statement_timeout")).isEqualTo("1234ms");
            conn.rollback();
            assertThat(conn.settings().show("statement_timeout")).isEqualTo("0");
        }
    }

    @Test
    void serverCursorFetchesInChunks(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo());
             ServerCursor<Row> cur = conn.cursor("big")) {
            cur.setItersize(1000);
            cur.setScrollable(true);
            cur.execute("SELECT g FROM generate_series(1, %s) g", 10_000);
            assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
            assertThat(cur.fetchmany(2)).extracting(r -> r.getInt(0)).containsExactly(2, 3);
            long sum = 3 + 2 + 1;
            long n = 3;
            for (Row r : cur) {
                sum += r.getInt(0);
                n++;
            }
            assertThat(n).isEqualTo(10_000);
            assertThat(sum).isEqualTo(50_005_000L);
            cur.scroll(0, "absolute");
            assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
            List<Row> pg = conn.execute("SELECT name, is_scrollable FROM pg_cursors").fetchall();
            assertThat(pg).hasSize(1);
        }
    }

    @Test
    void serverCursorNamesWithQuotesAndPercentSignsWorkWithAndWithoutParameters(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            String name = "it's a \"cursor\" $tusk$ 100%";
            ServerCursor<Row> cur = conn.cursor(name);
            cur.execute("SELECT g FROM generate_series(1, %s) g", 3);
            assertThat(conn.execute("SELECT name FROM pg_cursors").fetchone().getString(0)).isEqualTo(name);
            assertThat(cur.fetchall()).hasSize(3);
            cur.execute("SELECT 1"); // as written: closes the first portal, declares again
            assertThat(cur.fetchall()).hasSize(1);
            cur.close();
            assertThat(conn.execute("SELECT count(*) FROM pg_cursors").fetchone().getLong(0)).isZero();
            conn.commit();
            ServerCursor<Row> gone = conn.cursor("gone");
            gone.execute("SELECT 1");
            conn.commit(); // the portal went with the transaction: closing it is quiet
            gone.close();
        }
    }

    @Test
    void withholdCursorSurvivesCommit(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            ServerCursor<Row> cur = conn.cursor("held");
            cur.setWithhold(true);
            cur.execute("SELECT g FROM generate_series(1, 5) g");
            conn.commit();
            assertThat(cur.fetchall()).hasSize(5);
            cur.close();
            assertThat(conn.execute("SELECT count(*) FROM pg_cursors").fetchone().getLong(0)).isZero();
        }
    }
}
