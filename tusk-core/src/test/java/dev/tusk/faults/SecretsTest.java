package dev.tusk.faults;

import dev.tusk.testing.FaultProxy;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A password never shows in what a program may log: exception messages and traces, toString(), dsn(). */
@TuskTest
@Timeout(60)
class SecretsTest {

    /** A password role that logs in: SCRAM if the client supports it yet, else md5. */
    private static String[] login(TestDatabase db) {
        try (Connection<Row> c = Connection.connect(db.conninfo(db.scramUser(), db.scramPassword()) + " sslmode=disable")) {
            return new String[] {db.scramUser(), db.scramPassword()};
        } catch (NotSupportedException e) {
            return new String[] {db.md5User(), db.md5Password()};
        }
    }

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void notInToStringOrDsnOfAWorkingConnection(TestDatabase db) {
        String[] up = login(db);
        ConnectOptions<Row> opts = ConnectOptions.builder().conninfo(db.conninfo(up[0], up[1]) + " sslmode=disable").build();
        assertThat(opts.toString()).doesNotContain(up[1]);
        try (Connection<Row> c = Connection.connect(opts)) {
            assertThat(c.execute("SELECT current_user").fetchone().getString(0)).isEqualTo(up[0]);
            assertThat(c.toString()).doesNotContain(up[1]);
            assertThat(c.info().toString()).doesNotContain(up[1]);
            assertThat(c.info().dsn()).doesNotContain(up[1]).contains("user=" + up[0]);
            assertThat(c.info().getParameters().toString()).doesNotContain(up[1]);
        }
    }

    @Test
    void notInTheErrorOfAWrongPassword(TestDatabase db) {
        String[] up = login(db);
        String wrong = up[1] + "-Wr0ng-S3cret";
        Throwable t = catchThrowable(() -> Connection.connect(db.conninfo(up[0], wrong) + " sslmode=disable"));
        assertThat(t).isNotNull();
        assertThat(everything(t)).doesNotContain(wrong).doesNotContain(up[1]);
    }

    @Test
    void notInTheErrorsOfALostConnection(TestDatabase db) {
        String[] up = login(db);
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> c = Connection.connect(Faults.via(proxy, db).user(up[0]).password(up[1]).build())) {
            proxy.failNow(FaultProxy.Action.RESET);
            Throwable t = catchThrowable(() -> c.execute("SELECT 1"));
            Throwable next = catchThrowable(() -> c.execute("SELECT 1"));
            assertThat(everything(t)).doesNotContain(up[1]);
            assertThat(everything(next)).doesNotContain(up[1]);
            assertThat(c.toString() + c.info().dsn()).doesNotContain(up[1]);
        }
    }

    @Test
    void notInTheErrorOfAConnectionCutDuringAuthentication(TestDatabase db) {
        String[] up = login(db);
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('R', 2, FaultProxy.Action.CLOSE); // after the first challenge
            Throwable t = catchThrowable(() -> Connection.connect(Faults.via(proxy, db).user(up[0]).password(up[1]).build()));
            assertThat(t).isNotNull();
            assertThat(everything(t)).doesNotContain(up[1]);
        }
    }
}
