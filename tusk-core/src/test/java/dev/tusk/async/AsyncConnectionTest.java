package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
@TuskTest
class AsyncConnectionTest {
    private TestDatabase db;

    @BeforeEach
    void useDatabase(TestDatabase db) {
        this.db = db;
    }

    private AsyncConnection<Row> connect() {
        return AsyncConnection.connect(db.conninfo()).join();
    }

    private AsyncConnection<Row> connectAutocommit() {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())
                .join();
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the future did not fail in time: " + e, e);
        }
        throw new AssertionError("the future succeeded, a failure was expected");
    }

    @Test
    void connectsAndSelects() {
        try (AsyncConnection<Row> conn = connect()) {
            AsyncCursor<Row> cur = conn.execute("SELECT %s::int + 1 AS answer, %s AS greeting", 41, "hello").join();
            Row r = cur.fetchone();
            assertThat(r.getInt("answer")).isEqualTo(42);
            assertThat(r.getString("greeting")).isEqualTo("hello");
            assertThat(cur.fetchone()).isNull();
            assertThat(cur.description()).hasSize(2);

            List<Row> rows = conn.execute("SELECT generate_series(1, 1000) AS n").join().fetchall();
            assertThat(rows).hasSize(1000);
            assertThat(rows.get(999).getLong(0)).isEqualTo(1000);

            assertThat(conn.info().serverVersion()).isGreaterThan(130000);
            assertThat(conn.info().backendPid()).isPositive();
            assertThat(conn.isClosed()).isFalse();
        }
    }

    @Test
    void connectionInfoReportsTheSessionAsTheServerSeesIt() {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder()
                .conninfo(db.conninfo() + " application_name=first").applicationName("second").build()).join()) {
            dev.tusk.ConnectionInfo info = conn.info();
            assertThat(info.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(info.serverVersion()).isEqualTo(db.server().version());
            assertThat(info.backendPid()).isEqualTo(conn.execute("SELECT pg_backend_pid()").join().fetchone().getInt(0));
            assertThat(info.transactionStatus()).as("the query opened a transaction").isEqualTo(TransactionStatus.INTRANS);
            assertThat(info.secretKeyBytes().length).isBetween(4, 256);
            assertThat(info.encoding()).isEqualTo("UTF-8");
            assertThat(info.dbname()).isEqualTo(db.dbname());
            assertThat(info.user()).isEqualTo(db.superuser());
            assertThat(info.port()).isEqualTo(db.port());
            assertThat(info.status()).isEqualTo(dev.tusk.ConnStatus.OK);
            assertThat(info.parameterStatus("application_name")).as("options override the string").isEqualTo("second");
            conn.execute("SET TimeZone = 'America/New_York'").join();
            assertThat(info.timezone()).isEqualTo(java.time.ZoneId.of("America/New_York"));
            assertThat(info.getParameters()).doesNotContainKey("password");
            conn.close();
            assertThat(conn.info().status()).isEqualTo(dev.tusk.ConnStatus.BAD);
        }
    }

    @Test
    void sslmodePreferFallsBackToPlainWhenTheServerRefusesTls() {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo() + " sslmode=prefer").join()) {
            assertThat(conn.execute("SELECT 7").join().fetchone().getInt(0)).isEqualTo(7);
        }
    }

    @Test
    void outsideAutocommitTheFirstStatementOpensATransaction() {
        try (AsyncConnection<Row> conn = connect(); AsyncConnection<Row> other = connectAutocommit()) {
            conn.execute("CREATE TABLE async_tx_probe (a int)").join();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
            conn.execute("INSERT INTO async_tx_probe VALUES (1)").join();
            // another session cannot see the uncommitted table
            Throwable e = causeOf(other.execute("SELECT * FROM async_tx_probe"));
            assertThat(e).isInstanceOf(DatabaseException.class).hasMessageContaining("async_tx_probe");
            conn.rollback().join();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(causeOf(conn.execute("SELECT * FROM async_tx_probe"))).isInstanceOf(DatabaseException.class);
            conn.rollback().join();

            conn.execute("CREATE TABLE async_tx_kept (a int)").join();
            conn.commit().join();
            assertThat(other.execute("SELECT count(*) FROM async_tx_kept").join().fetchone().getLong(0)).isZero();
            conn.execute("DROP TABLE async_tx_kept").join();
            conn.commit().join();
        }
    }

    @Test
    void settingAutocommitInsideATransactionFails() {
        try (AsyncConnection<Row> conn = connect()) {
            conn.execute("SELECT 1").join();
            assertThat(causeOf(conn.setAutocommit(true))).hasMessageContaining("autocommit").hasMessageContaining("INTRANS");
            conn.commit().join();
            conn.setAutocommit(true).join();
            assertThat(conn.autocommit()).isTrue();
            conn.execute("SELECT 1").join();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    @Test
    void pipelinedStatementsCompleteInOrderAndAnErrorFailsOnlyItsOwnFuture() {
        try (AsyncConnection<Row> conn = connectAutocommit()) {
            List<CompletableFuture<AsyncCursor<Row>>> futures = new ArrayList<>();
            List<Integer> completionOrder = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 40; i++) {
                int n = i;
                // statement 20 divides by zero; its neighbours were written before its error came back
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT %s::int / %s::int", n * 10, n == 20 ? 0 : 10);
                f.whenComplete((c, e) -> completionOrder.add(n));
                futures.add(f);
            }
            for (int i = 0; i < 40; i++) {
                if (i == 20) {
                    assertThat(causeOf(futures.get(i))).isInstanceOf(DatabaseException.class)
                            .hasMessageContaining("division by zero");
                } else {
                    assertThat(futures.get(i).join().fetchone().getInt(0)).isEqualTo(i);
                }
            }
            assertThat(completionOrder).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).boxed().toList());
            assertThat(conn.execute("SELECT 'still usable'").join().fetchone().getString(0)).isEqualTo("still usable");
        }
    }

    @Test
    void closeFailsPendingStatementsWithAClearErrorAndNeverHangs() {
        AsyncConnection<Row> conn = connectAutocommit();
        List<CompletableFuture<AsyncCursor<Row>>> pending = new ArrayList<>();
        pending.add(conn.execute("SELECT pg_sleep(2)"));
        for (int i = 0; i < 10; i++) {
            pending.add(conn.execute("SELECT %s::int", i));
        }
        conn.close();
        for (CompletableFuture<AsyncCursor<Row>> f : pending) {
            assertThat(causeOf(f)).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
        }
        conn.closeAsync().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(conn.isClosed()).isTrue();
        assertThat(conn.isBroken()).isFalse();
        assertThat(causeOf(conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class)
                .hasMessage("the connection is closed");
        assertThat(causeOf(conn.commit())).isInstanceOf(OperationalException.class);
        conn.close(); // idempotent
    }

    @Test
    void aServerSideDisconnectBreaksTheConnectionAndFailsPendingStatements() {
        try (AsyncConnection<Row> victim = connectAutocommit(); AsyncConnection<Row> killer = connectAutocommit()) {
            int pid = victim.info().backendPid();
            CompletableFuture<AsyncCursor<Row>> sleeping = victim.execute("SELECT pg_sleep(10)");
            killer.execute("SELECT pg_terminate_backend(%s)", pid).join();
            Throwable e = causeOf(sleeping);
            assertThat(e).isInstanceOf(DatabaseException.class); // the FATAL "terminating connection" error
            assertThat(causeOf(victim.execute("SELECT 1"))).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken");
            assertThat(victim.isBroken()).isTrue();
            assertThat(victim.isClosed()).isTrue();
        }
    }

    @Test
    void waitingOnTheEventLoopIsRefused() {
        try (AsyncConnection<Row> conn = connectAutocommit()) {
            // pg_sleep makes sure the callbacks are attached before the result arrives, so they run on the loop
            List<String> callbackThreads = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Integer> joinInCallback = conn.execute("SELECT pg_sleep(0.2)")
                    .thenApply(c -> {
                        callbackThreads.add(Thread.currentThread().getName());
                        return conn.execute("SELECT 2").join().fetchone().getInt(0);
                    });
            assertThat(causeOf(joinInCallback)).isInstanceOf(InterfaceException.class)
                    .hasMessageContaining("event-loop thread").hasMessageContaining("join()");

            try (Connection<Row> blocking = Connection.connect(db.conninfo())) {
                CompletableFuture<Integer> blockingInCallback = conn.execute("SELECT pg_sleep(0.2)")
                        .thenApply(c -> {
                            callbackThreads.add(Thread.currentThread().getName());
                            return blocking.execute("SELECT 3").fetchone().getInt(0);
                        });
                assertThat(causeOf(blockingInCallback)).isInstanceOf(InterfaceException.class)
                        .hasMessageContaining("blocking Connection call");
                assertThat(blocking.execute("SELECT 4").fetchone().getInt(0)).isEqualTo(4);
                assertThat(callbackThreads).hasSize(2).allMatch(n -> n.startsWith("tusk-event-loop-"));
            }

            // chaining instead of waiting works, and the loop was never stalled
            int chained = conn.execute("SELECT 5")
                    .thenCompose(c -> conn.execute("SELECT %s::int + 1", c.fetchone().getInt(0)))
                    .join().fetchone().getInt(0);
            assertThat(chained).isEqualTo(6);
        }
    }

    @Test
    void connectingToAClosedPortFailsTheFuture() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CompletableFuture<AsyncConnection<Row>> f =
                AsyncConnection.connect("host=127.0.0.1 port=" + port + " user=postgres sslmode=disable connect_timeout=5");
        assertThat(causeOf(f)).isInstanceOf(OperationalException.class)
                .hasMessageContaining("port " + port)
                .hasMessageContaining("is the server running");
    }

    @Test
    void badParametersFailTheFutureInsteadOfThrowing() {
        try (AsyncConnection<Row> conn = connectAutocommit()) {
            CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT %s, %s", 1);
            assertThat(causeOf(f)).isInstanceOf(dev.tusk.errors.ProgrammingException.class);
            assertThatThrownBy(() -> conn.execute("SELECT %s, %s", 1).join()).isInstanceOf(CompletionException.class);
        }
    }

    @Test
    void pipelinedRepeatsOfAQueryArePreparedOnceOnTheServer() {
        try (AsyncConnection<Row> conn = connectAutocommit()) {
            List<CompletableFuture<AsyncCursor<Row>>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(conn.execute("SELECT %s::int * 2", i));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(futures.get(i).join().fetchone().getInt(0)).isEqualTo(2 * i);
            }
            long prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", "%* 2%")
                    .join().fetchone().getLong(0);
            assertThat(prepared).isEqualTo(1);
        }
    }
}
