package dev.tusk.internal.core;

import dev.tusk.Column;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.wire.Payload;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DataRow bodies stored by {@link ResultData#addRow}: each value found where it was sent, bad lengths refused. */
class ResultDataTest {
    private static List<Column> columns(int n) {
        List<Column> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Column("c" + i, 0, 0, 25, -1, -1, 0));
        }
        return out;
    }

    /** A DataRow body (the message without its type and length): the column count, then each value (null: NULL). */
    private static byte[] body(String... values) {
        byte[] message = BackendBytes.reply().row(values).bytes();
        return Arrays.copyOfRange(message, 5, message.length);
    }

    private static String value(ResultData d, int row, int col) {
        int len = d.length(row, col);
        return len < 0 ? null : new String(d.data(row), d.offset(row, col), len, StandardCharsets.UTF_8);
    }

    @Test
    void valuesWhoseLengthsChangeFromRowToRowAreEachFoundWhereTheyWereSent() {
        ResultData d = new ResultData(columns(4));
        List<String[]> sent = new ArrayList<>();
        for (int r = 0; r < 5000; r++) { // past a chunk and a block of the offset table
            String[] row = {
                    "x".repeat(r % 7), // every length 0..6 in turn
                    r % 3 == 0 ? null : "v" + r,
                    "fixed",
                    r % 11 == 0 ? "" : r % 5 == 0 ? null : "é".repeat(r % 4 + 1),
            };
            sent.add(row);
            d.addRow(Payload.of(body(row)));
        }
        assertThat(d.rowCount()).isEqualTo(5000);
        for (int r = 0; r < sent.size(); r++) {
            String[] got = new String[4];
            for (int c = 0; c < 4; c++) {
                got[c] = value(d, r, c);
            }
            assertThat(got).as("row %d", r).isEqualTo(sent.get(r));
        }
    }

    @Test
    void aLastValueThatRunsPastTheBodyIsRefusedEvenWithTheLengthOfThePreviousRow() {
        ResultData d = new ResultData(columns(2));
        d.addRow(Payload.of(body("ab", "hello")));
        byte[] cut = Arrays.copyOf(body("cd", "hello"), 2 + 4 + 2 + 4 + 3); // says 5 bytes, brings 3
        assertThatThrownBy(() -> d.addRow(Payload.of(cut))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("protocol violation");
        assertThat(d.rowCount()).isEqualTo(1);
        assertThat(value(d, 0, 1)).isEqualTo("hello");
    }

    @Test
    void aValueThatRunsPastTheBodyIsRefusedWhereverItIs() {
        ResultData d = new ResultData(columns(3));
        d.addRow(Payload.of(body("abc", "de", "f")));
        byte[] first = new BackendBytes.Body().i16(3).i32(100).raw("abc".getBytes(StandardCharsets.UTF_8)).bytes();
        assertThatThrownBy(() -> d.addRow(Payload.of(first))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("protocol violation");
        byte[] noLength = new BackendBytes.Body().i16(3).i32(3).raw("abc".getBytes(StandardCharsets.UTF_8)).i16(2).bytes();
        assertThatThrownBy(() -> d.addRow(Payload.of(noLength))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("protocol violation");
        assertThat(d.rowCount()).isEqualTo(1);
    }

    @Test
    void aFirstRowWhoseLastValueRunsPastTheBodyIsRefused() {
        ResultData d = new ResultData(columns(2));
        byte[] cut = Arrays.copyOf(body("ab", "hello"), 2 + 4 + 2 + 4 + 3);
        assertThatThrownBy(() -> d.addRow(Payload.of(cut))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("protocol violation");
        assertThat(d.rowCount()).isZero();
    }

    @Test
    void aNegativeLengthOtherThanNullIsRefused() {
        ResultData d = new ResultData(columns(2));
        byte[] bad = new BackendBytes.Body().i16(2).i32(-1).i32(-2).bytes();
        assertThatThrownBy(() -> d.addRow(Payload.of(bad))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("DataRow value length -2");
    }
}
