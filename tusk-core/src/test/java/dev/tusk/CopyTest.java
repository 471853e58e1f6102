package dev.tusk;

import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class CopyTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE c (a int, b text)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void aMillionRowsInAndOutInTextFormat() {
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
            for (int i = 0; i < 1_000_000; i++) {
                copy.writeRow(i, i % 1000 == 0 ? null : "tab\there\\ \n" + i);
            }
            assertThat(copy.finish()).isEqualTo(1_000_000);
        }
        Row r = conn.execute("SELECT count(*), count(b), sum(a) FROM c").fetchone();
        assertThat(r.getLong(0)).isEqualTo(1_000_000);
        assertThat(r.getLong(1)).isEqualTo(999_000);
        assertThat(r.getLong(2)).isEqualTo(499_999_500_000L);
        assertThat(conn.execute("SELECT b FROM c WHERE a = 1").fetchone().getString(0)).isEqualTo("tab\there\\ \n1");
        long n = 0;
        long nulls = 0;
        try (Copy copy = conn.cursor().copy("COPY c TO STDOUT")) {
            for (List<String> row : copy.rows()) {
                n++;
                if (row.get(1) == null) {
                    nulls++;
                } else if (row.get(0).equals("7")) {
                    assertThat(row.get(1)).isEqualTo("tab\there\\ \n7");
                }
            }
            assertThat(copy.rowcount()).isEqualTo(1_000_000);
        }
        assertThat(n).isEqualTo(1_000_000);
        assertThat(nulls).isEqualTo(1_000);
    }

    @Test
    void binaryFormatInAndOut() {
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN (FORMAT binary)")) {
            assertThat(copy.isBinary()).isTrue();
            for (int i = 0; i < 1_000_000; i++) {
                copy.writeRow(i, "b" + i);
            }
            copy.finish();
        }
        Row counts = conn.execute("SELECT count(*), max(a), count(DISTINCT b) FROM c").fetchone();
        assertThat(counts.getLong(0)).isEqualTo(1_000_000);
        assertThat(counts.getLong(1)).isEqualTo(999_999);
        assertThat(counts.getLong(2)).isEqualTo(1_000_000);
        int bytes = 0;
        try (Copy copy = conn.cursor().copy("COPY c TO STDOUT (FORMAT binary)")) {
            byte[] chunk;
            while ((chunk = copy.read()) != null) {
                bytes += chunk.length;
            }
        }
        assertThat(bytes).isGreaterThan(1_000_000 * 10);
    }

    @Test
    void anEmptyListInABinaryCopyIsRefusedAndTheCopyGoesOn() {
        // an empty list is sent untyped ('{}', oid 0), which has no binary form: refused before a byte is written
        conn.execute("CREATE TABLE arrays (a int, xs int[])");
        try (Copy copy = conn.cursor().copy("COPY arrays FROM STDIN (FORMAT binary)")) {
            assertThatThrownBy(() -> copy.writeRow(1, List.of()))
                    .isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("binary COPY column 2");
            copy.writeRow(3, List.of(7, 8));
            assertThat(copy.finish()).isEqualTo(1);
        }
        try (Copy copy = conn.cursor().copy("COPY arrays FROM STDIN")) {
            copy.writeRow(1, List.of());
            copy.finish();
        }
        assertThat(conn.execute("SELECT a, xs::text FROM arrays ORDER BY a").fetchall())
                .extracting(r -> r.getInt(0) + " " + r.getString(1))
                .containsExactly("1 {}", "3 {7,8}");
    }

    @Test
    void textRowsEscapeNonAsciiStringsAndDumpedValues() {
        conn.execute("CREATE TABLE u (s text, j text[], t timestamptz)");
        String s = "caf\u00e9\t\\ \ud83d\udc18\nend\r";
        var when = java.time.OffsetDateTime.parse("2026-12-03T10:15:30Z");
        try (Copy copy = conn.cursor().copy("COPY u FROM STDIN")) {
            copy.writeRow(s, List.of("a\tb", "c\\d"), when);
            copy.finish();
        }
        Row r = conn.execute("SELECT s, j[1], j[2], t = %s FROM u", when).fetchone();
        assertThat(r.getString(0)).isEqualTo(s);
        assertThat(r.getString(1)).isEqualTo("a\tb");
        assertThat(r.getString(2)).isEqualTo("c\\d");
        assertThat(r.getBoolean(3)).isTrue();
    }

    @Test
    void aRowThatCannotBeDumpedLeavesNothingBehind() {
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN (FORMAT binary)")) {
            copy.setTypes(23, 25);
            copy.writeRow(1, "one");
            assertThatThrownBy(() -> copy.writeRow(2, 2L)).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("column 2");
            copy.writeRow(3, "three");
            copy.finish();
        }
        assertThat(conn.execute("SELECT string_agg(a || b, ',' ORDER BY a) FROM c").fetchone().getString(0))
                .isEqualTo("1one,3three");
        conn.execute("TRUNCATE c");
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
            copy.writeRow(1, "one");
            assertThatThrownBy(() -> copy.writeRow(2, new Object())).isInstanceOf(ProgrammingException.class);
            copy.writeRow(3, "three");
            copy.finish();
        }
        assertThat(conn.execute("SELECT string_agg(a || b, ',' ORDER BY a) FROM c").fetchone().getString(0))
                .isEqualTo("1one,3three");
    }

    @Test
    void copyWithParametersMergedOnTheClient() {
        conn.execute("INSERT INTO c SELECT g, 'row ' || g FROM generate_series(1, 10) g");
        List<List<String>> rows = new java.util.ArrayList<>();
        try (Copy copy = conn.cursor().copy("COPY (SELECT a, b FROM c WHERE a > %s AND b <> %s ORDER BY a) TO STDOUT", 7, "it's")) {
            copy.rows().forEach(rows::add);
        }
        assertThat(rows).containsExactly(List.of("8", "row 8"), List.of("9", "row 9"), List.of("10", "row 10"));
    }

    @Test
    void rawWritesAndCsv() {
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN (FORMAT csv)")) {
            copy.write("1,\"quoted, comma\"\n2,plain\n".getBytes(StandardCharsets.UTF_8));
            copy.finish();
        }
        assertThat(conn.execute("SELECT b FROM c WHERE a = 1").fetchone().getString(0)).isEqualTo("quoted, comma");
    }

    @Test
    void anErrorInTheMiddleLeavesTheConnectionUsable() {
        assertThatThrownBy(() -> {
            try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
                copy.write("1\tok\n");
                copy.write("not-a-number\tbad\n");
                copy.write("3\tok\n");
                copy.finish();
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("not-a-number");
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isZero();
    }

    @Test
    void abortSendsCopyFail() {
        Copy copy = conn.cursor().copy("COPY c FROM STDIN");
        copy.writeRow(1, "x");
        copy.abort("changed my mind");
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isZero();
    }

    @Test
    void copyThroughExecuteOrExecuteThroughCopyAreRefused() {
        assertThatThrownBy(() -> conn.execute("COPY c FROM STDIN")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("copy(");
        assertThatThrownBy(() -> conn.cursor().copy("SELECT 1")).isInstanceOf(ProgrammingException.class);
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void abandonedCopyOutIsDrainedOnClose() {
        conn.execute("INSERT INTO c SELECT g, 'x' FROM generate_series(1, 50000) g");
        try (Copy copy = conn.cursor().copy("COPY c TO STDOUT")) {
            assertThat(copy.read()).isNotNull();
        }
        assertThat(conn.execute("SELECT 5").fetchone().getInt(0)).isEqualTo(5);
    }
}
