package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** AsyncCopy in try-with-resources keeps the rows only when finish() was called (trust #19). */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AsyncCopyCloseTest {
    private AsyncConnection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        conn.execute("CREATE TABLE c (a int, b text)").join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    // trust #19
    @Test
    void anExceptionInsideTheCopyBlockCopiesNothing() {
        AsyncCopy[] copy = new AsyncCopy[1];
        Throwable t = catchThrowable(() -> {
            try (AsyncCopy cp = conn.cursor().copy("COPY c FROM STDIN").join()) {
                copy[0] = cp;
                cp.writeRow(1, "one").join();
                throw new IllegalStateException("the application failed half-way");
            }
        });
        assertThat(t).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> copy[0].finish().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(QueryCanceled.class);
        assertThat(conn.execute("SELECT count(*) FROM c").join().fetchone().getLong(0)).isZero();
    }

    // trust #19
    @Test
    void finishBeforeCloseKeepsTheRows() {
        try (AsyncCopy cp = conn.cursor().copy("COPY c FROM STDIN").join()) {
            cp.writeRow(1, "one");
            assertThat(cp.finish().join()).isEqualTo(1);
        }
        assertThat(conn.execute("SELECT count(*) FROM c").join().fetchone().getLong(0)).isEqualTo(1);
    }
}
