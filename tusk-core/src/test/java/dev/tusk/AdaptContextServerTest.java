package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.sql.Literal;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connections and cursors of both drivers are adaptation contexts and type catalogues. */
@Timeout(60)
@TuskTest
class AdaptContextServerTest {
    /** A test-only type: no other test registers it. */
    record Points(int n) {
    }

    private static final Dumper<Points> POINTS = new Dumper<>() {
        @Override
        public ByteBuffer dump(Points value) {
            return ByteBuffer.wrap((value.n() + " pts").getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int oid() {
            return 25;
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    @Test
    void aLiteralUsesTheAdaptersOfTheContextItIsGiven(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Cursor<Row> cur = conn.cursor();
            cur.adapters().registerDumper(Points.class, POINTS);
            assertThat(new Literal(new Points(3)).asString(cur)).isEqualTo("'3 pts'");
            assertThatThrownBy(() -> new Literal(new Points(3)).asString(conn)).as("the cursor's registration stays there")
                    .isInstanceOf(ProgrammingException.class);
            AdaptContext context = conn;
            conn.adapters().registerDumper(Points.class, POINTS);
            assertThat(Literal.quote(new Points(4), context)).isEqualTo("'4 pts'");
            assertThat(conn.execute(new SQL("SELECT {}").format(new Points(5))).fetchone().getString(0)).isEqualTo("5 pts");
        }
    }

    @Test
    void asyncConnectionsAndCursorsAreContextsToo(TestDatabase db) {
        AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join();
        try {
            AsyncCursor<Row> cur = conn.cursor();
            cur.adapters().registerDumper(Points.class, POINTS);
            assertThat(new Literal(new Points(6)).asString(cur)).isEqualTo("'6 pts'");
            assertThatThrownBy(() -> Literal.quote(new Points(6), conn)).isInstanceOf(ProgrammingException.class);
            assertThat(new SQL("SELECT {}").format(new Points(7)).asBytes(cur))
                    .isEqualTo("SELECT '7 pts'".getBytes(StandardCharsets.UTF_8));
        } finally {
            conn.closeAsync().join();
        }
    }

    @Test
    void oneFetchEntryPointAnswersEachDriverInItsOwnWay(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            TypeInfo int4 = TypeInfo.fetch(conn, "pg_catalog.int4");
            assertThat(int4.oid()).isEqualTo(23);
            assertThat(int4.arrayOid()).isEqualTo(1007);
            assertThat(TypeInfo.fetch(conn, "no_such_type")).isNull();
        }
        AsyncConnection<Row> async = AsyncConnection.connect(db.conninfo()).join();
        try {
            CompletableFuture<TypeInfo> int8 = TypeInfo.fetch(async, "int8");
            assertThat(int8.join().oid()).isEqualTo(20);
        } finally {
            async.closeAsync().join();
        }
    }
}
