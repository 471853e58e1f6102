package dev.tusk;

import dev.tusk.errors.InvalidSavepointSpecification;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A {@link Rollback} whose rollback fails at the server (here its savepoint was released under it; on a shared
 * AsyncConnection, another future's block rolled back around it): both drivers fail the block with the database error,
 * the Rollback added as suppressed. Found by {@code AsyncSharedConnectionStressTest}: the async block's future failed
 * with the bare Rollback instead (not a TuskException; the error that happened only suppressed), while the blocking
 * block raised the database error.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RollbackThatFailsTest {

    @Test
    void blockingBlockRaisesTheRollbacksDatabaseError(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Throwable t = catchThrowable(() -> conn.transaction(outer -> conn.transaction(inner -> {
                conn.execute("RELEASE SAVEPOINT " + inner.savepointName());
                throw new Rollback(inner);
            })));
            assertThat(t).isInstanceOf(InvalidSavepointSpecification.class);
            assertThat(t.getSuppressed()).anySatisfy(s -> assertThat(s).isInstanceOf(Rollback.class));
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    @Test
    void asyncBlockFailsWithTheRollbacksDatabaseErrorAsTheBlockingOne(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).get(10, TimeUnit.SECONDS);
        try {
            CompletableFuture<Object> f = conn.transaction(outer -> conn.transaction(inner ->
                    conn.execute("RELEASE SAVEPOINT " + inner.savepointName()).thenApply(c -> {
                        throw new Rollback(inner);
                    })));
            Throwable t = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
            Throwable cause = t.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
                    : t.getCause();
            assertThat(cause).isInstanceOf(InvalidSavepointSpecification.class);
            assertThat(cause.getSuppressed()).anySatisfy(s -> assertThat(s).isInstanceOf(Rollback.class));
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        } finally {
            conn.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }
}
