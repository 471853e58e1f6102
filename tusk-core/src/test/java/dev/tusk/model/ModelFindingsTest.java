package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * New findings of {@link ConnectionStateMachineTest} (trust issue, model-based tests), each reduced to the
 * smallest sequence. Disabled until fixed; each names the seed that found it and the key that keeps it in
 * {@link ConnectionStateMachineTest#KNOWN_DEFECTS} meanwhile.
 */
@TuskTest
@Timeout(60)
class ModelFindingsTest {
    private static ConnectOptions<Row> via(FaultProxy proxy, TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1").port(proxy.port()).sslmode("disable")
                .build();
    }

    // trust, new finding (async model, seed 123519503831558, key "async.twoPhaseWhenClosed"): on an AsyncConnection
    // lost in the middle of a transaction, tpcBegin() checks the transaction status it last expected before it
    // checks that the connection is usable, and fails with ProgrammingException "connection in status INTRANS;
    // commit or roll back first" -- advice that cannot work -- instead of the OperationalException every other call
    // raises on a broken connection (the blocking tpcBegin checks the connection first). Same cause, seed
    // 5674822258923 (async, key "async.rollbackWhenClosed"): a connection lost during tpcBegin's transaction answers
    // rollback() with ProgrammingException "rollback() is forbidden during two-phase transaction ...: use
    // tpcCommit() or tpcRollback()" instead of OperationalException
    @Test
    void asyncTpcBeginOnALostConnectionSaysTheConnectionIsBroken(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE f (v int)");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            AsyncConnection<Row> c = AsyncConnection.connect(via(proxy, db)).get(10, TimeUnit.SECONDS);
            try {
                c.execute("INSERT INTO f VALUES (1)").get(10, TimeUnit.SECONDS); // autocommit off: INTRANS
                proxy.failNow(FaultProxy.Action.RESET);
                Throwable lost = catchThrowable(() -> AsyncOps.join(c.execute("SELECT 1")));
                assertThat(lost).isInstanceOf(OperationalException.class);
                assertThat(c.isBroken()).isTrue();
                Throwable t = catchThrowable(() -> AsyncOps.join(c.tpcBegin(c.xid(1, "finding", "b"))));
                assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("broken");
            } finally {
                c.close();
            }
        }
    }

    // trust, found by the blocking model (op "freeze", seeds 123519503831611, 123519503831610): with a statement
    // timeout set, COMMIT (and ROLLBACK, BEGIN of a transaction block, COPY, a pipeline's Sync, the 2PC statements)
    // waited forever on a frozen network: only execute() armed the statement timer. Fixed: every wait of a
    // statement goes through Connection.awaitTimed (more cases in faults.InternalStatementTimeoutTest)
    @Test
    void commitOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) {
        db.admin("CREATE TABLE g (v int)");
        FaultProxy proxy = FaultProxy.start(db.host(), db.port());
        Connection<Row> c = Connection.connect(via(proxy, db));
        try {
            c.setStatementTimeout(Duration.ofMillis(300));
            c.execute("INSERT INTO g VALUES (1)");
            proxy.failNow(FaultProxy.Action.SILENCE);
            Throwable t = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> catchThrowable(c::commit),
                    "commit() on a frozen network with a 300 ms statement timeout did not return within 10 s");
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(c.isBroken()).isTrue();
        } finally {
            proxy.close(); // first: a commit still blocked holds the connection's lock, which close() waits for
            c.close();
        }
    }
}
