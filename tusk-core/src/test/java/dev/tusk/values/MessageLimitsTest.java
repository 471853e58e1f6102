package dev.tusk.values;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.query.InsertRewriter;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * trust #16, #26: a statement over the protocol's limits (65535 parameters, 1 GiB a message) is refused on the
 * client before anything is written, and the connection stays clean and usable. The large values are read-only
 * mappings of a sparse file: nothing is read from them, so the test costs no memory.
 */
@Timeout(120)
@TuskTest
class MessageLimitsTest {
    private static final long GIB = 1L << 30;
    private static Path sparse;
    private static FileChannel channel;

    @BeforeAll
    static void sparseFile() throws IOException {
        sparse = Files.createTempFile("tusk-limits", ".bin");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(GIB + GIB / 5); // 1.2 GiB of holes
        }
        channel = FileChannel.open(sparse);
    }

    @AfterAll
    static void removeIt() throws IOException {
        channel.close();
        Files.deleteIfExists(sparse);
    }

    private static ByteBuffer mapped(long size) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }

    private static void usable(Connection<Row> conn) {
        assertThat(conn.isBroken()).isFalse();
        assertThat(conn.execute("SELECT %s::int + 1", 41).fetchone().getInt(0)).isEqualTo(42);
        assertThat(conn.execute("SELECT 'still fine'").fetchone().getString(0)).isEqualTo("still fine");
    }

    // trust #16
    @Test
    void aParameterOfAGibibyteOrMoreIsRefusedAndTheConnectionStaysUsable(TestDatabase db) throws IOException {
        ByteBuffer big = mapped(GIB + GIB / 5);
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> conn.execute("SELECT %s, %s, length(%b)", 1, "x", big))
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("parameter $3 is 1.2 GiB")
                        .hasMessageContaining("limit for one message is 1 GiB");
                usable(conn);
            }
            assertThatThrownBy(() -> conn.cursor().executemany("SELECT length(%b)", List.of(List.of(ByteBuffer.allocate(3)), List.of(big))))
                    .isInstanceOf(DataException.class).hasMessageContaining("1.2 GiB");
            usable(conn);
        }
    }

    // trust #26: parameters each under the limit but over it together
    @Test
    void parametersOverAGibibyteTogetherAreRefused(TestDatabase db) throws IOException {
        ByteBuffer half = mapped(GIB / 2 + GIB / 10);
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertThatThrownBy(() -> conn.execute("SELECT length(%b), length(%b)", half, half.duplicate()))
                    .isInstanceOf(DataException.class).hasMessageContaining("1.2 GiB together");
            usable(conn);
        }
    }

    // trust #26
    @Test
    void moreThan65535ParametersAreRefusedOnBothDrivers(TestDatabase db) {
        int n = 70_000;
        String sql = "SELECT cardinality(ARRAY[" + String.join(", ", Collections.nCopies(n, "%s")) + "])";
        Object[] params = Collections.nCopies(n, 1).toArray();
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertThatThrownBy(() -> conn.execute(sql, params)).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("70000 parameters").hasMessageContaining("65535");
            usable(conn);
            assertThat(conn.execute("SELECT cardinality(ARRAY[" + String.join(", ", Collections.nCopies(65_535, "%s")) + "])",
                    Collections.nCopies(65_535, 1).toArray()).fetchone().getInt(0)).isEqualTo(65_535);
        }
        AsyncConnection<Row> a = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).build()).join();
        try {
            assertThatThrownBy(() -> a.execute(sql, params).join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ProgrammingException.class);
            assertThat(a.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
        } finally {
            a.closeAsync().join();
        }
    }

    // trust #26: the rewritten INSERT's chunks stay under 65535 parameters and 1 GiB each
    @Test
    void rewrittenInsertChunksStayWithinTheLimits() throws IOException {
        ByteBuffer quarter = mapped(GIB / 4 + 1);
        List<BoundParams> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(new BoundParams(new int[] {17, 23}, new int[] {1, 1}, new ByteBuffer[] {quarter.duplicate(), ByteBuffer.allocate(4)}));
        }
        InsertRewriter r = InsertRewriter.of("INSERT INTO t VALUES ($1, $2)", 2);
        int total = 0;
        for (InsertRewriter.Chunk c : r.chunks(rows)) {
            for (BoundParams b : c.binds()) {
                long bytes = 0;
                for (ByteBuffer v : b.values()) {
                    bytes += v.remaining() + 6;
                }
                assertThat(bytes).isLessThan(MessageWriter.MAX_MESSAGE_LENGTH);
                assertThat(b.size()).isLessThanOrEqualTo(65_535);
                total += b.size() / 2;
            }
        }
        assertThat(total).isEqualTo(10);
        assertThat(InsertRewriter.of("INSERT INTO t VALUES (" + "$1, ".repeat(600) + "$2)", 601))
                .as("128 rows of 601 parameters would pass 65535: run as is").isNull();
    }

    // trust #16: whatever fails while a command is encoded leaves nothing of it in the output
    @Test
    void aMessageOverTheLimitLeavesNothingBuffered() throws IOException {
        ByteBuffer big = mapped(GIB + 1);
        ProtocolCore core = new ProtocolCore();
        core.send(new ExtendedQuery("SELECT 1", "", true, BoundParams.NONE, 0, true));
        int before = core.output().position();
        BoundParams huge = new BoundParams(new int[] {17}, new int[] {1}, new ByteBuffer[] {big});
        assertThatThrownBy(() -> core.send(new ExtendedQuery("SELECT $1", "", true, huge, 0, true)))
                .isInstanceOf(DataException.class).hasMessageContaining("limit of 1 GiB");
        assertThat(core.output().position()).isEqualTo(before);
        assertThat(core.pendingCount()).isEqualTo(1);
        assertThat(core.output().inMessage()).isFalse();

        MessageWriter w = new MessageWriter();
        w.begin((byte) 'd');
        assertThatThrownBy(() -> w.bytes(big)).isInstanceOf(DataException.class);
        assertThat(w.array().length).as("the buffer did not grow to hold it").isLessThan(1 << 20);
    }
}
