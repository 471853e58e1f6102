package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Transactions with a TransactionDefinition, auto-commit, savepoints, validate/close, and the error tree. */
@TuskTest
@Timeout(120)
class ConnectionTest {
    private static final Duration T = Duration.ofSeconds(60);

    private static String one(TuskConnection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, md) -> String.valueOf(row.get(0, String.class)))).blockLast(T);
    }

    private static Throwable failure(TuskConnection c, String sql) {
        try {
            Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated).blockLast(T);
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError(sql + " did not fail");
    }

    @Test
    void aTransactionDefinitionSetsIsolationReadOnlyAndLockWait(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Map<Option<?>, Object> attrs = Map.of(TransactionDefinition.ISOLATION_LEVEL, IsolationLevel.SERIALIZABLE,
                    TransactionDefinition.READ_ONLY, true, TransactionDefinition.LOCK_WAIT_TIMEOUT, Duration.ofMillis(1500));
            TransactionDefinition def = new TransactionDefinition() {
                @Override
                @SuppressWarnings("unchecked")
                public <T> T getAttribute(Option<T> option) {
                    return (T) attrs.get(option);
                }
            };
            Mono.from(c.beginTransaction(def)).block(T);
            assertThat(c.isAutoCommit()).isFalse();
            assertThat(one(c, "SHOW transaction_isolation")).isEqualTo("serializable");
            assertThat(one(c, "SHOW transaction_read_only")).isEqualTo("on");
            assertThat(one(c, "SHOW lock_timeout")).isEqualTo("1500ms");
            assertThat(failure(c, "CREATE TABLE nope (x int)")).hasMessageContaining("read-only transaction");
            Mono.from(c.rollbackTransaction()).block(T);
            assertThat(c.isAutoCommit()).isTrue();
            assertThat(one(c, "SHOW lock_timeout")).isEqualTo("0"); // SET LOCAL ended with the transaction
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void autoCommitOffOpensATransactionAtTheNextStatementAndOnCommitsIt(TestDatabase db) {
        db.admin("CREATE TABLE t (x int)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Mono.from(c.setTransactionIsolationLevel(IsolationLevel.REPEATABLE_READ)).block(T);
            assertThat(c.getTransactionIsolationLevel()).isEqualTo(IsolationLevel.REPEATABLE_READ);
            Mono.from(c.setAutoCommit(false)).block(T);
            Flux.from(c.createStatement("INSERT INTO t VALUES (1)").execute()).concatMap(Result::getRowsUpdated).blockLast(T);
            assertThat(one(c, "SHOW transaction_isolation")).isEqualTo("repeatable read");
            assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0"); // not committed yet
            Mono.from(c.createSavepoint("s1")).block(T);
            Flux.from(c.createStatement("INSERT INTO t VALUES (2)").execute()).concatMap(Result::getRowsUpdated).blockLast(T);
            Mono.from(c.rollbackTransactionToSavepoint("s1")).block(T);
            Mono.from(c.releaseSavepoint("s1")).block(T);
            Mono.from(c.setAutoCommit(true)).block(T);
            assertThat(db.adminQuery("SELECT string_agg(x::text, ',') FROM t")).isEqualTo("1");
        } finally {
            R2dbc.close(c);
        }
    }

    @Test
    void validateAndCloseAreIdempotent(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        assertThat(Mono.from(c.validate(ValidationDepth.REMOTE)).block(T)).isTrue();
        R2dbc.close(c);
        R2dbc.close(c);
        assertThat(Mono.from(c.validate(ValidationDepth.LOCAL)).block(T)).isFalse();
        assertThat(Mono.from(c.validate(ValidationDepth.REMOTE)).block(T)).isFalse();
    }

    @Test
    void serverErrorsMapToR2dbcExceptionsBySqlstateClass(TestDatabase db) {
        db.admin("CREATE TABLE k (id int PRIMARY KEY)");
        db.admin("CREATE ROLE r2dbc_nobody LOGIN");
        db.admin("CREATE TABLE secret (x int)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Throwable grammar = failure(c, "SELEC 1");
            assertThat(grammar).isInstanceOf(R2dbcBadGrammarException.class);
            assertThat(((R2dbcException) grammar).getSqlState()).isEqualTo("42601");
            assertThat(((R2dbcBadGrammarException) grammar).getOffendingSql()).isEqualTo("SELEC 1");
            failure(c, "INSERT INTO k VALUES (1), (1)");
            assertThat(failure(c, "INSERT INTO k VALUES (1), (1)")).isInstanceOf(R2dbcDataIntegrityViolationException.class);
            assertThat(failure(c, "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$"))
                    .isInstanceOf(R2dbcRollbackException.class);
            assertThat(failure(c, "DO $$ BEGIN RAISE EXCEPTION 'busy' USING ERRCODE = '55P03'; END $$"))
                    .isInstanceOf(R2dbcTransientResourceException.class);
            Mono.from(c.setStatementTimeout(Duration.ofMillis(200))).block(T);
            Throwable timeout = failure(c, "SELECT pg_sleep(5)");
            assertThat(timeout).isInstanceOf(R2dbcTimeoutException.class);
            assertThat(((R2dbcException) timeout).getSqlState()).isEqualTo("57014");
            Mono.from(c.setStatementTimeout(Duration.ZERO)).block(T);
            assertThat(Mono.from(c.validate(ValidationDepth.REMOTE)).block(T)).isTrue();
        } finally {
            R2dbc.close(c);
        }
        String url = R2dbc.url(db).replaceFirst("//[^@]*@", "//r2dbc_nobody@");
        TuskConnection nobody = (TuskConnection) Mono.from(io.r2dbc.spi.ConnectionFactories.get(url).create()).block(T);
        try {
            Throwable denied = failure(nobody, "SELECT * FROM secret");
            assertThat(denied).isInstanceOf(R2dbcPermissionDeniedException.class);
            assertThat(((R2dbcException) denied).getSqlState()).isEqualTo("42501");
            String pid = one(nobody, "SELECT pg_backend_pid()::text");
            db.admin("SELECT pg_terminate_backend(" + pid + ")");
            Throwable gone = failure(nobody, "SELECT 1");
            assertThat(gone).isInstanceOf(R2dbcNonTransientResourceException.class);
            assertThat(Mono.from(nobody.validate(ValidationDepth.LOCAL)).block(T)).isFalse();
        } finally {
            R2dbc.close(nobody);
        }
    }

    @Test
    void createStatementAndBindRefuseBadArguments(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            var st = c.createStatement("SELECT $1::int, '$9', $2 -- $7\n");
            assertThatThrownBy(() -> st.bind(2, 1)).isInstanceOf(IndexOutOfBoundsException.class); // $9 and $7 are text
            assertThatThrownBy(() -> st.bind("$3", 1)).isInstanceOf(java.util.NoSuchElementException.class);
            assertThatThrownBy(() -> st.bind(0, new Object())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.Object");
            assertThatThrownBy(st::execute).isInstanceOf(IllegalStateException.class);
            List<String> got = Flux.from(st.bind(0, 7).bindNull("$2", String.class).execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0) + "," + row.get(1) + "," + row.get(2))).collectList().block(T);
            assertThat(got).containsExactly("7,$9,null");
        } finally {
            R2dbc.close(c);
        }
    }
}
