package dev.tusk;

import dev.tusk.errors.IntegrityException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Transaction blocks against a real server, with a second connection as the witness. */
@TuskTest
class TransactionTest {
    private Connection<Row> conn;
    private Connection<Row> witness;
    private String t;

    private TestDatabase db;

    private Connection<Row> connect() {
        return Connection.connect(db.conninfo());
    }

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        conn = connect();
        witness = connect();
        witness.setAutocommit(true);
        t = TxTables.freshTable(witness);
    }

    @AfterEach
    void close() {
        conn.close();
        witness.close();
    }

    private void insert(int id) {
        conn.execute("INSERT INTO " + t + " (id, v) VALUES (%s, %s)", id, "v" + id);
    }

    private List<Integer> visibleIds() {
        List<Integer> ids = new ArrayList<>();
        for (Row r : witness.execute("SELECT id FROM " + t + " ORDER BY id")) {
            ids.add(r.getInt(0));
        }
        return ids;
    }

    @Test
    void blockCommitsWhenTheBodyReturnsAndItsRowsStayInvisibleUntilThen() {
        String result = conn.transaction(tx -> {
            insert(1);
            assertThat(visibleIds()).isEmpty();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
            assertThat(tx.isOutermost()).isTrue();
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(visibleIds()).containsExactly(1);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void blockRollsBackAndRethrowsTheBodysExceptionUnchanged() {
        IOException thrown = new IOException("disk on fire");
        AtomicReference<Transaction> seen = new AtomicReference<>();
        Throwable caught = catchThrowable(() -> conn.transaction(tx -> {
            seen.set(tx);
            insert(1);
            throw thrown;
        }));
        assertThat(caught).isSameAs(thrown);
        assertThat(caught.getSuppressed()).isEmpty();
        assertThat(seen.get().status()).isEqualTo(Transaction.Status.ROLLED_BACK_WITH_ERROR);
        assertThat(visibleIds()).isEmpty();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void aBlockInAutocommitModeRunsARealTransaction() {
        conn.setAutocommit(true);
        conn.transaction(tx -> {
            insert(1);
            insert(2);
            assertThat(visibleIds()).isEmpty();
            return null;
        });
        assertThat(visibleIds()).containsExactly(1, 2);
        insert(3); // autocommit again after the block
        assertThat(visibleIds()).containsExactly(1, 2, 3);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void anInnerFailureRollsBackToTheSavepointAndTheOuterBlockGoesOn() {
        conn.transaction(outer -> {
            insert(1);
            Throwable inner = catchThrowable(() -> conn.transaction(tx -> {
                assertThat(tx.isOutermost()).isFalse();
                assertThat(tx.savepointName()).isEqualTo("_tusk_2");
                insert(2);
                insert(1); // duplicate key
                return null;
            }));
            assertThat(inner).isInstanceOf(IntegrityException.class);
            assertThat(((TuskException) inner).sqlstate()).isEqualTo("23505");
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
            insert(3);
            return null;
        });
        assertThat(visibleIds()).containsExactly(1, 3);
    }

    @Test
    void statusIsInErrorInsideTheFailedBlockAndIntransAfterIt() {
        conn.transaction(outer -> {
            AtomicReference<TransactionStatus> inside = new AtomicReference<>();
            catchThrowable(() -> conn.transaction(tx -> {
                try {
                    conn.execute("SELECT 1/0");
                } catch (TuskException e) {
                    inside.set(conn.info().transactionStatus());
                    throw e;
                }
                return null;
            }));
            assertThat(inside.get()).isEqualTo(TransactionStatus.INERROR);
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
            return null;
        });
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void rollbackLeavesTheInnermostBlockQuietly() {
        List<String> trail = new ArrayList<>();
        conn.transaction(outer -> {
            insert(1);
            Object r = conn.transaction(inner -> {
                insert(2);
                if (true) {
                    throw new Rollback();
                }
                return "unreachable";
            });
            trail.add("after inner: " + r);
            insert(3);
            return null;
        });
        assertThat(trail).containsExactly("after inner: null");
        assertThat(visibleIds()).containsExactly(1, 3);
    }

    @Test
    void rollbackNamingTheOuterBlockUnwindsBothAndExecutionGoesOnAfterIt() {
        List<String> trail = new ArrayList<>();
        AtomicReference<Transaction> innerTx = new AtomicReference<>();
        Object r = conn.transaction(outer -> {
            insert(1);
            conn.transaction(inner -> {
                innerTx.set(inner);
                insert(2);
                throw new Rollback(outer);
            });
            trail.add("outer body went on");
            return "unreachable";
        });
        trail.add("after outer");
        assertThat(r).isNull();
        assertThat(trail).containsExactly("after outer");
        assertThat(innerTx.get().status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
        assertThat(visibleIds()).isEmpty();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void rollbackNamingABlockThatDoesNotEncloseItIsAProgrammingError() {
        Transaction ended = conn.transaction();
        ended.commit();
        Throwable e = catchThrowable(() -> conn.transaction(tx -> {
            insert(1);
            throw new Rollback(ended);
        }));
        assertThat(e).isInstanceOf(ProgrammingException.class).hasMessageContaining("does not enclose")
                .hasCauseInstanceOf(Rollback.class);
        assertThat(visibleIds()).isEmpty();

        try (Connection<Row> other = connect()) {
            Transaction foreign = other.transaction();
            assertThatThrownBy(() -> conn.transaction(tx -> {
                throw new Rollback(foreign);
            })).isInstanceOf(ProgrammingException.class);
            foreign.close();
        }
        // sibling blocks do not enclose each other either
        assertThatThrownBy(() -> conn.transaction(outer -> {
            Transaction[] first = new Transaction[1];
            conn.transaction(a -> {
                first[0] = a;
                return null;
            });
            return conn.transaction(b -> {
                throw new Rollback(first[0]);
            });
        })).isInstanceOf(ProgrammingException.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void rollbackAfterTheBlockEndedIsAProgrammingError() {
        assertThatThrownBy(() -> conn.transaction(tx -> {
            insert(1);
            tx.commit();
            throw new Rollback();
        })).isInstanceOf(ProgrammingException.class).hasMessageContaining("already ended");
        assertThat(visibleIds()).containsExactly(1); // the commit happened
    }

    @Test
    void resourceFormCommitsOnlyWhenAsked() {
        try (Transaction tx = conn.transaction()) {
            insert(1);
            assertThat(visibleIds()).isEmpty();
            tx.commit();
            assertThat(tx.status()).isEqualTo(Transaction.Status.COMMITTED);
            assertThat(visibleIds()).containsExactly(1); // committed at once, before the block ends
        }
        Transaction kept;
        try (Transaction tx = conn.transaction()) {
            kept = tx;
            insert(2);
        }
        assertThat(kept.status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
        assertThat(visibleIds()).containsExactly(1);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void usingABlockAfterItsEndIsAProgrammingError() {
        Transaction tx = conn.transaction();
        tx.commit();
        assertThatThrownBy(tx::commit).isInstanceOf(ProgrammingException.class).hasMessageContaining("already ended");
        assertThatThrownBy(tx::rollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("already ended");
        tx.close(); // idempotent, no error
        Transaction rolled = conn.transaction();
        rolled.rollback();
        assertThatThrownBy(rolled::commit).isInstanceOf(ProgrammingException.class);
        assertThat(rolled.status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
    }

    @Test
    void nestedResourceBlocksUseSavepointsAndClosingTheOuterOneFirstIsRefused() {
        try (Transaction outer = conn.transaction()) {
            insert(1);
            try (Transaction inner = conn.transaction()) {
                insert(2);
                inner.commit();
            }
            try (Transaction inner = conn.transaction()) {
                insert(3);
            }
            outer.commit();
        }
        assertThat(visibleIds()).containsExactly(1, 2);

        Transaction outer = conn.transaction();
        Transaction inner = conn.transaction();
        insert(4);
        assertThatThrownBy(outer::commit).isInstanceOf(ProgrammingException.class).hasMessageContaining("inner transaction block");
        // issue 30, psycopg's test_manual_enter_and_exit_out_of_order_exit_asserts: closing the outer block first
        // would silently roll back the inner one
        assertThatThrownBy(outer::close).isInstanceOf(ProgrammingException.class).hasMessageContaining("Out-of-order");
        assertThatThrownBy(outer::rollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("Out-of-order");
        assertThat(inner.isActive()).isTrue();
        assertThat(outer.isActive()).isTrue();
        inner.close();
        outer.close();
        assertThat(inner.status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
        assertThat(outer.status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
        assertThat(visibleIds()).containsExactly(1, 2);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void aLambdaBlockLeavingAnInnerResourceBlockOpenRollsBackAndRaises() {
        assertThatThrownBy(() -> conn.transaction(tx -> {
            insert(1);
            return conn.transaction(); // never closed
        })).isInstanceOf(ProgrammingException.class);
        assertThat(visibleIds()).isEmpty();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void inAnImplicitTransactionABlockIsOnlyASavepoint() {
        insert(1); // opens the implicit transaction (autocommit off)
        conn.transaction(tx -> {
            assertThat(tx.isOutermost()).isFalse();
            assertThat(tx.savepointName()).isEqualTo("_tusk_1");
            insert(2);
            return null;
        });
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        assertThat(visibleIds()).isEmpty();
        conn.commit();
        assertThat(visibleIds()).containsExactly(1, 2);
    }

    @Test
    void aNamedSavepointExistsOnTheServerUnderThatName() {
        conn.transaction(outer -> {
            conn.transaction(TransactionOptions.builder().savepointName("my \"sp\"").build(), tx -> {
                assertThat(tx.savepointName()).isEqualTo("my \"sp\"");
                insert(1);
                conn.execute("ROLLBACK TO SAVEPOINT \"my \"\"sp\"\"\""); // the server knows the name
                insert(2);
                return null;
            });
            return null;
        });
        assertThat(visibleIds()).containsExactly(2);

        // an outermost block with a name sets the savepoint too, and still commits
        conn.transaction(TransactionOptions.builder().savepointName("top").build(), tx -> {
            insert(3);
            conn.execute("ROLLBACK TO SAVEPOINT top");
            insert(4);
            return null;
        });
        assertThat(visibleIds()).containsExactly(2, 4);
    }

    @Test
    void explicitCommitOrRollbackInsideABlockIsAProgrammingError() {
        conn.transaction(tx -> {
            insert(1);
            assertThatThrownBy(conn::commit).isInstanceOf(ProgrammingException.class).hasMessageContaining("transaction() block");
            assertThatThrownBy(conn::rollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("transaction() block");
            return null;
        });
        assertThat(visibleIds()).containsExactly(1);
    }

    @Test
    void characteristicsCannotChangeInsideABlock() {
        conn.setAutocommit(true);
        conn.transaction(tx -> {
            assertThatThrownBy(() -> conn.setAutocommit(false)).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("'autocommit'");
            assertThatThrownBy(() -> conn.setIsolationLevel(IsolationLevel.SERIALIZABLE)).isInstanceOf(ProgrammingException.class);
            assertThatThrownBy(() -> conn.setReadOnly(true)).isInstanceOf(ProgrammingException.class);
            assertThatThrownBy(() -> conn.setDeferrable(true)).isInstanceOf(ProgrammingException.class);
            return null;
        });
        assertThat(conn.autocommit()).isTrue();
        assertThat(conn.isolationLevel()).isNull();
    }

    @Test
    void characteristicsOnANestedBlockAreAProgrammingError() {
        TransactionOptions ro = TransactionOptions.builder().readOnly(true).build();
        conn.transaction(outer -> {
            insert(1);
            assertThatThrownBy(() -> conn.transaction(ro, tx -> null)).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("outermost");
            assertThatThrownBy(() -> conn.transaction(TransactionOptions.builder()
                    .isolationLevel(IsolationLevel.SERIALIZABLE).build())).isInstanceOf(ProgrammingException.class);
            assertThatThrownBy(() -> conn.transaction(TransactionOptions.builder().deferrable(false).build()))
                    .isInstanceOf(ProgrammingException.class);
            return null;
        });
        assertThat(visibleIds()).containsExactly(1); // the refused inner blocks did not disturb the outer one
    }

    @Test
    void outermostBlockOptionsGoIntoItsBegin() {
        TransactionOptions opts = TransactionOptions.builder().isolationLevel(IsolationLevel.REPEATABLE_READ)
                .readOnly(true).deferrable(false).build();
        String[] seen = conn.transaction(opts, tx -> new String[] {
                conn.execute("SHOW transaction_isolation").fetchone().getString(0),
                conn.execute("SHOW transaction_read_only").fetchone().getString(0)});
        assertThat(seen).containsExactly("repeatable read", "on");
        // the connection's own settings were not changed
        assertThat(conn.execute("SHOW transaction_isolation").fetchone().getString(0)).isEqualTo("read committed");
        conn.rollback();
    }

    @Test
    void aReadOnlyBlockRefusesWrites() {
        TransactionOptions ro = TransactionOptions.builder().readOnly(true).build();
        Throwable e = catchThrowable(() -> conn.transaction(ro, tx -> {
            insert(1);
            return null;
        }));
        assertThat(e).isInstanceOf(TuskException.class);
        assertThat(((TuskException) e).sqlstate()).isEqualTo("25006");
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(visibleIds()).isEmpty();
    }

    @Test
    void aSerializableConflictRaisesSqlstate40001() {
        witness.execute("INSERT INTO " + t + " VALUES (1, 'a')");
        TransactionOptions ser = TransactionOptions.builder().isolationLevel(IsolationLevel.SERIALIZABLE).build();
        Throwable e = catchThrowable(() -> conn.transaction(ser, tx -> {
            assertThat(conn.execute("SELECT v FROM " + t + " WHERE id = 1").fetchone().getString(0)).isEqualTo("a");
            witness.execute("UPDATE " + t + " SET v = 'witness' WHERE id = 1"); // commits (autocommit)
            conn.execute("UPDATE " + t + " SET v = 'mine' WHERE id = 1");
            return null;
        }));
        assertThat(e).isInstanceOf(TuskException.class);
        assertThat(((TuskException) e).sqlstate()).isEqualTo("40001");
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(witness.execute("SELECT v FROM " + t + " WHERE id = 1").fetchone().getString(0)).isEqualTo("witness");
    }

    @Test
    void aDeferredConstraintFailingAtCommitRaisesAndLeavesTheConnectionIdle() {
        witness.execute("CREATE TABLE " + t + "_child (id int, parent int REFERENCES " + t
                + " (id) DEFERRABLE INITIALLY DEFERRED)");
        Throwable e = catchThrowable(() -> conn.transaction(tx -> {
            conn.execute("INSERT INTO " + t + "_child VALUES (1, 99)"); // accepted until COMMIT
            return null;
        }));
        assertThat(e).isInstanceOf(IntegrityException.class);
        assertThat(((TuskException) e).sqlstate()).isEqualTo("23503");
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(TxTables.count(witness, t + "_child")).isZero();

        // the same through conn.commit()
        conn.execute("INSERT INTO " + t + "_child VALUES (2, 98)");
        assertThatThrownBy(conn::commit).isInstanceOf(IntegrityException.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        conn.execute("SELECT 1"); // usable
        conn.rollback();
    }

    @Test
    void anOuterBlockWhoseErrorWasSwallowedRaisesInsteadOfPretendingToCommit() {
        AtomicReference<Transaction> seen = new AtomicReference<>();
        assertThatThrownBy(() -> conn.transaction(tx -> {
            seen.set(tx);
            insert(1);
            try {
                conn.execute("SELECT 1/0");
            } catch (TuskException ignored) {
                // swallowed: the transaction is now failed
            }
            return null;
        })).isInstanceOf(OperationalException.class).hasMessageContaining("rolled back, not committed");
        assertThat(seen.get().status()).isEqualTo(Transaction.Status.ROLLED_BACK_WITH_ERROR);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(visibleIds()).isEmpty();
    }

    @Test
    void anInnerBlockWhoseErrorWasSwallowedRaisesAndTheOuterBlockCanGoOn() {
        conn.transaction(outer -> {
            insert(1);
            Throwable e = catchThrowable(() -> conn.transaction(tx -> {
                insert(2);
                try {
                    conn.execute("SELECT 1/0");
                } catch (TuskException ignored) {
                    // swallowed
                }
                return null;
            }));
            assertThat(e).isInstanceOf(TuskException.class);
            assertThat(((TuskException) e).sqlstate()).isEqualTo("25P02");
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
            insert(3);
            return null;
        });
        assertThat(visibleIds()).containsExactly(1, 3);
    }

    @Test
    void aBrokenConnectionInsideABlockRaisesTheOriginalErrorAndStatusIsUnknown() {
        int pid = conn.info().backendPid();
        AtomicReference<TuskException> fromStatement = new AtomicReference<>();
        AtomicReference<Transaction> seen = new AtomicReference<>();
        Throwable e = catchThrowable(() -> conn.transaction(tx -> {
            seen.set(tx);
            insert(1);
            witness.execute("SELECT pg_terminate_backend(%s, 10000)", pid);
            try {
                insert(2);
            } catch (TuskException x) {
                fromStatement.set(x);
                throw x;
            }
            return null;
        }));
        assertThat(fromStatement.get()).isNotNull();
        assertThat(e).isSameAs(fromStatement.get());
        assertThat(e.getSuppressed()).isEmpty();
        assertThat(seen.get().status()).isEqualTo(Transaction.Status.FAILED);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.UNKNOWN);
        assertThat(conn.isBroken()).isTrue();
        assertThat(visibleIds()).isEmpty();
        assertThatThrownBy(() -> conn.transaction()).isInstanceOf(OperationalException.class);
    }

    @Test
    void blocksInsidePipelineModeSyncAtTheirBoundaries() {
        try (Pipeline p = conn.pipeline()) {
            conn.transaction(tx -> {
                insert(1);
                insert(2);
                return null;
            });
            assertThat(visibleIds()).containsExactly(1, 2);
            Throwable e = catchThrowable(() -> conn.transaction(tx -> {
                insert(3);
                insert(1); // duplicate: surfaces when the block syncs to commit
                return null;
            }));
            assertThat(e).isInstanceOf(IntegrityException.class);
        }
        assertThat(visibleIds()).containsExactly(1, 2);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void rollbackOptionsBuilderRefusesAnEmptyName() {
        assertThatThrownBy(() -> TransactionOptions.builder().savepointName("")).isInstanceOf(ProgrammingException.class);
    }
}
