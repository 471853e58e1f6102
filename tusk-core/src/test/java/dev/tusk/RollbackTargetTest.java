package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Which block a {@link Rollback} names: one rule for both drivers ({@code internal.op.BlockChecks.unwind}), the same
 * cases run on each. Naming no block, or the block it is thrown from, rolls that block back quietly; naming a block
 * that does not enclose it (ended, of another connection, or of the other driver) is a ProgrammingException, which
 * rolls the block back and leaves the connection usable.
 */
@TuskTest
@Timeout(60)
class RollbackTargetTest {
    enum Driver { BLOCKING, ASYNC }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aRollbackNamingNoBlockOrItsOwnRollsItBackQuietly(Driver driver, TestDatabase db) {
        db.admin("CREATE TABLE rt (v int)");
        try (Side side = Side.open(driver, db)) {
            assertThat(side.block(1, tx -> new Rollback())).isNull();
            assertThat(side.block(2, side::rollback)).isNull();
            assertThat(side.block(3, tx -> null)).isNull();
            assertThat(db.adminQuery("SELECT string_agg(v::text, ',') FROM rt")).isEqualTo("3");
        }
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aRollbackNamingAnEndedBlockOfItsConnectionDoesNotEncloseIt(Driver driver, TestDatabase db) {
        db.admin("CREATE TABLE rt (v int)");
        try (Side side = Side.open(driver, db)) {
            Object ended = side.endedBlock();
            assertNotEnclosing(side, side.block(1, tx -> side.rollback(ended)), db);
        }
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aRollbackNamingAnotherConnectionsOpenBlockDoesNotEncloseIt(Driver driver, TestDatabase db) {
        db.admin("CREATE TABLE rt (v int)");
        try (Side side = Side.open(driver, db); Side other = Side.open(driver, db)) {
            other.withOpenBlock(foreign -> assertNotEnclosing(side, side.block(1, tx -> other.rollback(foreign)), db));
        }
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aRollbackNamingABlockOfTheOtherDriverDoesNotEncloseIt(Driver driver, TestDatabase db) {
        db.admin("CREATE TABLE rt (v int)");
        Driver otherDriver = driver == Driver.BLOCKING ? Driver.ASYNC : Driver.BLOCKING;
        try (Side side = Side.open(driver, db); Side other = Side.open(otherDriver, db)) {
            other.withOpenBlock(foreign -> assertNotEnclosing(side, side.block(1, tx -> other.rollback(foreign)), db));
            Object ended = other.endedBlock();
            assertNotEnclosing(side, side.block(2, tx -> other.rollback(ended)), db);
        }
    }

    /**
     * Its own block, ended inside the body: only a blocking block can end before its body does ({@code tx.commit()};
     * an {@code AsyncTransaction} ends when its body's future completes). The rule's answer for both drivers' blocks
     * is in {@code TransactionOpBytesTest}.
     */
    @Test
    void aRollbackAfterItsOwnBlockEndedIsAProgrammingError(TestDatabase db) {
        db.admin("CREATE TABLE rt (v int)");
        try (Side side = Side.open(Driver.BLOCKING, db)) {
            Throwable e = side.block(1, tx -> {
                ((Transaction) tx).commit();
                return side.rollback(tx);
            });
            assertThat(e).isInstanceOf(ProgrammingException.class).hasMessageContaining("already ended")
                    .hasCauseInstanceOf(Rollback.class);
            assertThat(db.adminQuery("SELECT string_agg(v::text, ',') FROM rt")).isEqualTo("1");
            assertThat(side.status()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    private static void assertNotEnclosing(Side side, Throwable e, TestDatabase db) {
        assertThat(e).isInstanceOf(ProgrammingException.class).hasMessageContaining("does not enclose")
                .hasCauseInstanceOf(Rollback.class);
        assertThat(db.adminQuery("SELECT count(*) FROM rt")).as("the block rolled back").isEqualTo("0");
        assertThat(side.status()).isEqualTo(TransactionStatus.IDLE);
    }

    /** A connection of one driver whose blocks are run the same way. */
    private abstract static class Side implements AutoCloseable {
        private final ConnectionShell<?, ?, ?> shell;

        Side(ConnectionShell<?, ?, ?> shell) {
            this.shell = shell;
        }

        static Side open(Driver driver, TestDatabase db) {
            ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
            return driver == Driver.BLOCKING ? new BlockingSide(Connection.connect(options))
                    : new AsyncSide(AsyncConnection.connect(options).join());
        }

        /**
         * Runs a block whose body inserts {@code v}, then throws what {@code body} makes of the block (null: it
         * returns); what the call ended with (null: it returned).
         */
        abstract Throwable block(int v, Function<Object, RuntimeException> body);

        /** A block of this connection that has ended (committed). */
        abstract Object endedBlock();

        /** Runs {@code use} while a block of this connection is open. */
        abstract void withOpenBlock(Consumer<Object> use);

        /** A Rollback naming {@code block}, a block of this side's driver. */
        abstract Rollback rollback(Object block);

        /** Ends a block's body: throws what {@code body} makes of the block {@code tx}, or returns null. */
        static Object endBody(Function<Object, RuntimeException> body, Object tx) {
            RuntimeException e = body.apply(tx);
            if (e != null) {
                throw e;
            }
            return null;
        }

        final TransactionStatus status() {
            return shell.info().transactionStatus();
        }

        @Override
        public final void close() {
            shell.close();
        }
    }

    private static final class BlockingSide extends Side {
        private final Connection<Row> conn;

        BlockingSide(Connection<Row> conn) {
            super(conn);
            this.conn = conn;
        }

        @Override
        Throwable block(int v, Function<Object, RuntimeException> body) {
            return catchThrowable(() -> conn.transaction(tx -> {
                conn.execute("INSERT INTO rt VALUES (%s)", v);
                return endBody(body, tx);
            }));
        }

        @Override
        Object endedBlock() {
            Transaction tx = conn.transaction();
            tx.commit();
            return tx;
        }

        @Override
        void withOpenBlock(Consumer<Object> use) {
            try (Transaction tx = conn.transaction()) {
                use.accept(tx);
            }
        }

        @Override
        Rollback rollback(Object block) {
            return new Rollback((Transaction) block);
        }
    }

    private static final class AsyncSide extends Side {
        private final AsyncConnection<Row> conn;

        AsyncSide(AsyncConnection<Row> conn) {
            super(conn);
            this.conn = conn;
        }

        @Override
        Throwable block(int v, Function<Object, RuntimeException> body) {
            CompletableFuture<Object> f = conn.transaction(tx -> conn.execute("INSERT INTO rt VALUES (%s)", v)
                    .thenApply(c -> endBody(body, tx)));
            return f.handle((x, e) -> e instanceof CompletionException ? e.getCause() : e).join();
        }

        @Override
        Object endedBlock() {
            AtomicReference<AsyncTransaction<Row>> seen = new AtomicReference<>();
            conn.transaction(tx -> {
                seen.set(tx);
                return CompletableFuture.completedFuture(null);
            }).join();
            return seen.get();
        }

        @Override
        void withOpenBlock(Consumer<Object> use) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<AsyncTransaction<Row>> opened = new CompletableFuture<>();
            CompletableFuture<Void> done = conn.transaction(tx -> {
                opened.complete(tx);
                return gate;
            });
            try {
                use.accept(opened.join());
            } finally {
                gate.complete(null);
                done.join();
            }
        }

        @Override
        Rollback rollback(Object block) {
            return new Rollback((AsyncTransaction<?>) block);
        }
    }
}
