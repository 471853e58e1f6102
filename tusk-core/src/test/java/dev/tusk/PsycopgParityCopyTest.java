package dev.tusk;

import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.Codecs;
import dev.tusk.types.Range;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30 item 7 and the missing COPY API, on both drivers: each test follows the psycopg test (tests/test_copy.py
 * unless said otherwise) named in its comment.
 */
@TuskTest
@Timeout(60)
class PsycopgParityCopyTest {
    private static final int INT4 = 23;
    private static final int TEXT = 25;

    private Connection<Row> conn;
    private AsyncConnection<Row> async;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE copy_in (col1 int PRIMARY KEY, col2 int, data text)");
        async = AsyncConnection.connect(db.conninfo()).join();
        async.setAutocommit(true).join();
    }

    @AfterEach
    void close() {
        conn.close();
        async.close();
    }

    private long count() {
        return conn.execute("SELECT count(*) FROM copy_in").fetchone().getLong(0);
    }

    // test_copy_in_empty[BINARY] (and [TEXT])
    @Test
    void anEmptyCopyFromCopiesNothingInBinaryAndText() {
        for (String format : List.of("binary", "text")) {
            try (Copy copy = conn.cursor().copy("COPY copy_in FROM STDIN (FORMAT " + format + ")")) {
                assertThat(copy.finish()).as(format).isZero();
            }
            AsyncCopy a = async.cursor().copy("COPY copy_in FROM STDIN (FORMAT " + format + ")").join();
            assertThat(a.finish().join()).as(format).isZero();
        }
        assertThat(count()).isZero();
    }

    // tests/types/test_range.py::test_copy_in_empty / test_copy_in (unbounded and empty ranges, binary COPY)
    @Test
    void binaryWriteRowTakesUnboundedAndEmptyRanges() {
        conn.execute("CREATE TABLE r (id int, r int4range)");
        List<Range<Integer>> ranges = List.of(Range.of(null, 10), Range.of(3, null), Range.of(null, null),
                Range.empty(), Range.of(1, 5));
        try (Copy copy = conn.cursor().copy("COPY r FROM STDIN (FORMAT binary)")) {
            for (int i = 0; i < ranges.size(); i++) {
                copy.writeRow(i, ranges.get(i));
            }
            assertThat(copy.finish()).isEqualTo(5);
        }
        AsyncCopy a = async.cursor().copy("COPY r FROM STDIN (FORMAT binary)").join();
        for (int i = 0; i < ranges.size(); i++) {
            a.writeRow(10 + i, ranges.get(i));
        }
        assertThat(a.finish().join()).isEqualTo(5);
        List<String> seen = new ArrayList<>();
        for (Row row : conn.execute("SELECT r::text FROM r ORDER BY id").fetchall()) {
            seen.add(row.getString(0));
        }
        List<String> want = List.of("(,10)", "[3,)", "(,)", "empty", "[1,5)");
        List<String> both = new ArrayList<>(want);
        both.addAll(want);
        assertThat(seen).isEqualTo(both);
    }

    // test_subclass_adapter[TEXT]: a String dumper of the application's is used by text write_row
    @Test
    void aCustomStringDumperIsHonouredByTextWriteRow() {
        Dumper<String> twice = Codecs.textDumper(0, s -> s + s);
        conn.adapters().registerDumper(String.class, twice);
        try (Copy copy = conn.cursor().copy("COPY copy_in (col1, data) FROM STDIN")) {
            copy.writeRow(1, "hello");
            copy.finish();
        }
        async.adapters().registerDumper(String.class, twice);
        AsyncCopy a = async.cursor().copy("COPY copy_in (col1, data) FROM STDIN").join();
        a.writeRow(2, "hello");
        a.finish().join();
        assertThat(conn.execute("SELECT data FROM copy_in ORDER BY col1").fetchall())
                .extracting(r -> r.getString(0)).containsExactly("hellohello", "hellohello");
    }

    /** A value whose dumper says NULL. */
    record Missing() {
    }

    // psycopg's dumpers may return None, which write_row writes as NULL (psycopg/_copy_base.py, format_row)
    @Test
    void aDumperReturningNullWritesNullInTextAndBinary() {
        conn.adapters().registerDumper(Missing.class, Codecs.dumper(INT4, Format.TEXT, v -> null));
        conn.adapters().registerDumper(Missing.class, Codecs.dumper(INT4, Format.BINARY, v -> null));
        async.adapters().registerDumper(Missing.class, Codecs.dumper(INT4, Format.TEXT, v -> null));
        async.adapters().registerDumper(Missing.class, Codecs.dumper(INT4, Format.BINARY, v -> null));
        try (Copy copy = conn.cursor().copy("COPY copy_in (col1, col2) FROM STDIN")) {
            copy.writeRow(1, new Missing());
            copy.finish();
        }
        try (Copy copy = conn.cursor().copy("COPY copy_in (col1, col2) FROM STDIN (FORMAT binary)")) {
            copy.writeRow(2, new Missing());
            copy.finish();
        }
        AsyncCopy a = async.cursor().copy("COPY copy_in (col1, col2) FROM STDIN").join();
        a.writeRow(3, new Missing());
        a.finish().join();
        AsyncCopy b = async.cursor().copy("COPY copy_in (col1, col2) FROM STDIN (FORMAT binary)").join();
        b.writeRow(4, new Missing());
        b.finish().join();
        assertThat(conn.execute("SELECT count(*) FROM copy_in WHERE col2 IS NULL").fetchone().getLong(0)).isEqualTo(4);
    }

    // test_copy_out_param[%(n)s-params1]
    @Test
    void copyTakesNamedParameters() {
        try (Copy copy = conn.cursor().copy("COPY (SELECT * FROM generate_series(1, %(n)s)) TO STDOUT", Map.of("n", 10))) {
            copy.setTypes(INT4);
            List<List<Object>> rows = new ArrayList<>();
            copy.typedRows().forEach(rows::add);
            assertThat(rows).hasSize(10).first().isEqualTo(List.of(1));
        }
        AsyncCopy a = async.cursor().copy("COPY (SELECT * FROM generate_series(1, %(n)s)) TO STDOUT", Map.of("n", 10)).join();
        a.setTypes(INT4);
        assertThat(collect(a.typedRows())).hasSize(10).last().isEqualTo(List.of(10));
    }

    private static final String SAMPLE = "COPY (VALUES (10::int, 20::int, 'hello'::text), (40, NULL, 'world')) TO STDOUT";
    private static final List<List<Object>> SAMPLE_RECORDS = List.of(List.of(10, 20, "hello"), Arrays.asList(40, null, "world"));

    // test_read_rows[TEXT] and [BINARY], test_rows[TEXT] and [BINARY]
    @Test
    void readRowAndTypedRowsLoadTheTypesInTextAndBinary() {
        for (String format : List.of("text", "binary")) {
            try (Copy copy = conn.cursor().copy(SAMPLE + " (FORMAT " + format + ")")) {
                copy.setTypes(INT4, INT4, TEXT);
                assertThat(copy.readRow()).as(format).isEqualTo(SAMPLE_RECORDS.get(0));
                assertThat(copy.readRow()).as(format).isEqualTo(SAMPLE_RECORDS.get(1));
                assertThat(copy.readRow()).isNull();
            }
            try (Copy copy = conn.cursor().copy(SAMPLE + " (FORMAT " + format + ")")) {
                copy.setTypes(INT4, INT4, TEXT);
                List<List<Object>> rows = new ArrayList<>();
                copy.typedRows().forEach(rows::add);
                assertThat(rows).as(format).isEqualTo(SAMPLE_RECORDS);
            }
            AsyncCopy a = async.cursor().copy(SAMPLE + " (FORMAT " + format + ")").join();
            a.setTypes(INT4, INT4, TEXT);
            assertThat(a.readRow().join()).as(format).isEqualTo(SAMPLE_RECORDS.get(0));
            assertThat(a.readRow().join()).as(format).isEqualTo(SAMPLE_RECORDS.get(1));
            assertThat(a.readRow().join()).isNull();
            AsyncCopy b = async.cursor().copy(SAMPLE + " (FORMAT " + format + ")").join();
            b.setTypes(INT4, INT4, TEXT);
            assertThat(collect(b.typedRows())).as(format).isEqualTo(SAMPLE_RECORDS);
        }
    }

    // test_read_row_notypes[BINARY], test_rows_notypes: without types, text values and binary bytes
    @Test
    void withoutTypesReadRowGivesTextOrBytes() {
        try (Copy copy = conn.cursor().copy(SAMPLE)) {
            assertThat(copy.readRow()).isEqualTo(List.of("10", "20", "hello"));
        }
        try (Copy copy = conn.cursor().copy(SAMPLE + " (FORMAT binary)")) {
            List<Object> row = copy.readRow();
            assertThat((byte[]) row.get(2)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
            assertThat((byte[]) row.get(0)).containsExactly(0, 0, 0, 10);
        }
        AsyncCopy a = async.cursor().copy(SAMPLE).join();
        assertThat(a.readRow().join()).isEqualTo(List.of("10", "20", "hello"));
        a.finish().join();
    }

    // test_copy_out_badntypes: a column count other than setTypes' is refused
    @Test
    void aWrongNumberOfTypesIsRefused() {
        try (Copy copy = conn.cursor().copy(SAMPLE)) {
            copy.setTypes(INT4, INT4);
            assertThatThrownBy(copy::readRow).isInstanceOf(ProgrammingException.class).hasMessageContaining("3 columns");
        }
        AsyncCopy a = async.cursor().copy(SAMPLE + " (FORMAT binary)").join();
        a.setTypes(INT4);
        assertThat(a.readRow()).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
                .withCauseInstanceOf(ProgrammingException.class);
        a.finish().join();
    }

    // test_rows with set_types: rows() gives text, so it refuses rather than ignore the types
    @Test
    void rowsRefusesToIgnoreSetTypes() {
        try (Copy copy = conn.cursor().copy(SAMPLE)) {
            copy.setTypes(INT4, INT4, TEXT);
            assertThatThrownBy(copy::rows).isInstanceOf(ProgrammingException.class).hasMessageContaining("typedRows()");
        }
        AsyncCopy a = async.cursor().copy(SAMPLE).join();
        a.setTypes(INT4, INT4, TEXT);
        assertThatThrownBy(() -> collect(a.rows())).hasRootCauseInstanceOf(ProgrammingException.class);
        a.finish().join();
    }

    // test_copy_out_iter[TEXT]: a Copy is iterable over its data blocks
    @Test
    void aCopyIsIterableOverItsDataBlocks() {
        List<String> blocks = new ArrayList<>();
        try (Copy copy = conn.cursor().copy(SAMPLE)) {
            for (byte[] block : copy) {
                blocks.add(new String(block, StandardCharsets.UTF_8));
            }
        }
        assertThat(blocks).containsExactly("10\t20\thello\n", "40\t\\N\tworld\n");
    }

    // tests/test_pipeline.py::test_copy (NotSupportedError), issue 30 item 10
    @Test
    void copyInsideAPipelineIsNotSupported() {
        try (Pipeline p = conn.pipeline()) {
            assertThatThrownBy(() -> conn.cursor().copy("COPY copy_in FROM STDIN"))
                    .isInstanceOf(NotSupportedException.class).hasMessageContaining("pipeline");
        }
        AsyncPipeline p = async.pipeline();
        assertThat(async.cursor().copy("COPY copy_in FROM STDIN")).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(Exception.class).withCauseInstanceOf(NotSupportedException.class);
        p.closeAsync().join();
        try (Copy copy = conn.cursor().copy("COPY copy_in (col1) FROM STDIN")) {
            copy.writeRow(1);
            assertThat(copy.finish()).isEqualTo(1);
        }
    }

    private static <T> List<T> collect(Flow.Publisher<T> publisher) {
        CompletableFuture<List<T>> done = new CompletableFuture<>();
        List<T> out = new ArrayList<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(T item) {
                out.add(item);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out);
            }
        });
        return done.join();
    }

    // test_description and test_copy_rowcount: during a COPY the cursor describes its columns (column_1...: a COPY
    // names none) and after it the cursor's rowcount is the rows copied, both ways; a COPY that failed leaves -1
    @Test
    void theCursorDescribesACopyAndCountsItsRowsOnBothDrivers() {
        conn.execute("INSERT INTO copy_in VALUES (1, 2, 'a'), (3, 4, 'b')");
        Cursor<Row> cur = conn.cursor();
        try (Copy copy = cur.copy("COPY (SELECT 'This', 'Is', 'Text') TO STDOUT")) {
            assertThat(cur.description()).extracting(Column::name).containsExactly("column_1", "column_2", "column_3");
            int blocks = 0;
            for (byte[] b : copy) {
                blocks++;
            }
            assertThat(blocks).isEqualTo(1);
            copy.finish();
        }
        assertThat(cur.description()).extracting(Column::name).containsExactly("column_1", "column_2", "column_3");
        assertThat(cur.rowcount()).isEqualTo(1);
        try (Copy copy = cur.copy("COPY (SELECT generate_series(1, 200000)) TO STDOUT")) {
            assertThat(cur.rowcount()).as("not known before the end").isEqualTo(-1);
            assertThat(cur.description()).extracting(Column::name).containsExactly("column_1");
            copy.finish();
        }
        assertThat(cur.rowcount()).isEqualTo(200000);
        try (Copy copy = cur.copy("COPY copy_in TO STDOUT")) {
            copy.finish();
        }
        assertThat(cur.rowcount()).isEqualTo(2);
        try (Copy copy = cur.copy("COPY copy_in FROM STDIN")) {
            assertThat(cur.description()).hasSize(3);
            copy.writeRow(5, 6, "c");
            copy.writeRow(7, 8, "d");
            copy.writeRow(9, 10, "e");
            copy.finish();
        }
        assertThat(cur.rowcount()).isEqualTo(3);
        assertThat(cur.execute("SELECT 1").description()).extracting(Column::name).containsExactly("?column?");
        assertThat(cur.rowcount()).as("the next statement's").isEqualTo(1);
        try (Copy copy = cur.copy("COPY copy_in (col1) FROM STDIN")) {
            copy.writeRow(11, 12);
            assertThatThrownBy(copy::finish).isInstanceOf(dev.tusk.errors.DatabaseException.class);
        }
        assertThat(cur.rowcount()).as("a failed COPY").isEqualTo(-1);

        AsyncCursor<Row> acur = async.cursor();
        AsyncCopy a = acur.copy("COPY (SELECT 'This', 'Is', 'Text') TO STDOUT").join();
        assertThat(acur.description()).extracting(Column::name).containsExactly("column_1", "column_2", "column_3");
        while (a.read().join() != null) {
            // the one row
        }
        a.finish().join();
        assertThat(acur.rowcount()).isEqualTo(1);
        assertThat(acur.description()).hasSize(3);
        a = acur.copy("COPY copy_in FROM STDIN").join();
        a.writeRow(13, 14, "f").join();
        a.writeRow(15, 16, "g").join();
        a.finish().join();
        assertThat(acur.rowcount()).isEqualTo(2);
        assertThat(acur.description()).hasSize(3);
    }
}
