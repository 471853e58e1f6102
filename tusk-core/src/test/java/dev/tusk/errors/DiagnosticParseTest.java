package dev.tusk.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tusk.errors.Diagnostic.Field;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DiagnosticParseTest {
    /** Builds an ErrorResponse body from (code, text) pairs, with the closing zero byte. */
    private static byte[] body(Object... codeTextPairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < codeTextPairs.length; i += 2) {
            out.write((Character) codeTextPairs[i]);
            out.writeBytes(((String) codeTextPairs[i + 1]).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        out.write(0);
        return out.toByteArray();
    }

    private static final byte[] UNIQUE = body('S', "ERROR", 'V', "ERROR", 'C', "23505",
            'M', "duplicate key value violates unique constraint \"t_pkey\"", 'D', "Key (id)=(1) already exists.",
            's', "public", 't', "t", 'n', "t_pkey", 'F', "nbtinsert.c", 'L', "666", 'R', "_bt_check_unique");

    @Test
    void decodesEveryFieldOfAnErrorResponse() {
        Diagnostic d = Diagnostic.parse(ByteBuffer.wrap(UNIQUE));
        assertThat(d.severity()).isEqualTo("ERROR");
        assertThat(d.severityNonlocalized()).isEqualTo("ERROR");
        assertThat(d.sqlstate()).isEqualTo("23505");
        assertThat(d.messagePrimary()).isEqualTo("duplicate key value violates unique constraint \"t_pkey\"");
        assertThat(d.messageDetail()).isEqualTo("Key (id)=(1) already exists.");
        assertThat(d.schemaName()).isEqualTo("public");
        assertThat(d.tableName()).isEqualTo("t");
        assertThat(d.constraintName()).isEqualTo("t_pkey");
        assertThat(d.sourceFile()).isEqualTo("nbtinsert.c");
        assertThat(d.sourceLine()).isEqualTo("666");
        assertThat(d.sourceFunction()).isEqualTo("_bt_check_unique");
        assertThat(d.messageHint()).isNull();
        assertThat(d.fields()).hasSize(11);
        assertThat(SqlState.create(d)).isInstanceOf(UniqueViolation.class);
    }

    @Test
    void everyKnownFieldCodeRoundTrips() {
        Object[] pairs = new Object[Field.values().length * 2];
        int i = 0;
        for (Field f : Field.values()) {
            pairs[i++] = f.code();
            pairs[i++] = "value of " + f;
        }
        Diagnostic d = Diagnostic.parse(ByteBuffer.wrap(body(pairs)));
        for (Field f : Field.values()) {
            assertThat(d.get(f)).isEqualTo("value of " + f);
            assertThat(Field.ofCode(f.code())).isSameAs(f);
        }
        assertThat(Field.ofCode('Z')).isNull();
        assertThat(Field.ofCode('\u00e9')).isNull();
        assertThat(Field.ofCode('\uffff')).isNull();
    }

    @Test
    void unknownFieldCodesAreSkippedAndARepeatedFieldKeepsItsLastValue() {
        Diagnostic d = Diagnostic.parse(ByteBuffer.wrap(body('Z', "future field", 'M', "first", '\u00ff', "x",
                'M', "second", 'C', "42P01")));
        assertThat(d.fields()).containsOnly(Map.entry(Field.MESSAGE_PRIMARY, "second"), Map.entry(Field.SQLSTATE, "42P01"));
    }

    @Test
    void decodesUtf8AndReplacesInvalidBytes() {
        Diagnostic d = Diagnostic.parse(ByteBuffer.wrap(body('M', "relation «tëst€😀» does not exist")));
        assertThat(d.messagePrimary()).isEqualTo("relation «tëst€😀» does not exist");

        byte[] bad = {'M', 'a', (byte) 0xC3, 'b', (byte) 0xFF, 0, 0};
        assertThat(Diagnostic.parse(ByteBuffer.wrap(bad)).messagePrimary()).isEqualTo("a\uFFFDb\uFFFD");
        byte[] latin1 = {'M', 'c', (byte) 0xE9, 0, 0};
        assertThat(Diagnostic.parse(ByteBuffer.wrap(latin1), StandardCharsets.ISO_8859_1).messagePrimary()).isEqualTo("cé");
    }

    @Test
    void emptyFieldListGivesTheEmptyDiagnostic() {
        assertThat(Diagnostic.parse(ByteBuffer.wrap(new byte[] {0}))).isSameAs(Diagnostic.EMPTY);
        assertThat(Diagnostic.parse(ByteBuffer.wrap(body('Z', "only unknown")))).isEqualTo(Diagnostic.EMPTY);
    }

    @Test
    void readsFromPositionToLimitWithoutMovingThem() {
        byte[] framed = new byte[UNIQUE.length + 10];
        Arrays.fill(framed, (byte) 'x');
        System.arraycopy(UNIQUE, 0, framed, 5, UNIQUE.length);
        ByteBuffer buf = ByteBuffer.wrap(framed);
        buf.position(5).limit(5 + UNIQUE.length);
        Diagnostic d = Diagnostic.parse(buf);
        assertThat(d.sqlstate()).isEqualTo("23505");
        assertThat(buf.position()).isEqualTo(5);
        assertThat(buf.limit()).isEqualTo(5 + UNIQUE.length);

        // A slice has an array offset; a direct buffer has no array.
        assertThat(Diagnostic.parse(ByteBuffer.wrap(framed, 5, UNIQUE.length).slice())).isEqualTo(d);
        ByteBuffer direct = ByteBuffer.allocateDirect(UNIQUE.length).put(UNIQUE).flip();
        assertThat(Diagnostic.parse(direct)).isEqualTo(d);
    }

    @Test
    void everyTruncationIsAProtocolViolation() {
        for (int len = 0; len < UNIQUE.length; len++) {
            ByteBuffer cut = ByteBuffer.wrap(UNIQUE, 0, len);
            Throwable t = catchThrowable(() -> Diagnostic.parse(cut));
            assertThat(t).as("length %d", len).isInstanceOf(ProtocolViolation.class)
                    .isInstanceOf(OperationalException.class)
                    .hasMessageContaining("malformed ErrorResponse/NoticeResponse")
                    .hasMessageContaining("must be closed");
        }
    }

    @Test
    void bytesAfterTheFinalTerminatorAreAProtocolViolation() {
        byte[] extra = Arrays.copyOf(UNIQUE, UNIQUE.length + 3);
        assertThatThrownBy(() -> Diagnostic.parse(ByteBuffer.wrap(extra)))
                .isInstanceOf(ProtocolViolation.class)
                .hasMessageContaining("3 unexpected byte(s) after the final terminator");
    }

    @Test
    void truncationMessageNamesTheFieldAndTheOffset() {
        byte[] b = {'C', '2', '3', '5', '0', '5', 0, 'M', 'o', 'o', 'p', 's'};
        assertThatThrownBy(() -> Diagnostic.parse(ByteBuffer.wrap(b)))
                .hasMessageContaining("field 'M' has no terminating zero byte")
                .hasMessageContaining("at byte 7");
        byte[] c = {(byte) 0x9C, 'x'};
        assertThatThrownBy(() -> Diagnostic.parse(ByteBuffer.wrap(c))).hasMessageContaining("field '\\x9c'");
    }

    @Test
    void randomBytesGiveADiagnosticOrAProtocolViolationNeverAnythingElse() {
        Random random = new Random(20240518L);
        byte[] alphabet = {0, 0, 0, 'S', 'C', 'M', 'D', 'H', 'P', 'Z', 'a', (byte) 0xC3, (byte) 0xFF, (byte) 0x80};
        int parsed = 0;
        int rejected = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            try {
                Diagnostic d = Diagnostic.parse(ByteBuffer.wrap(b));
                parsed++;
                assertThat(b).isNotEmpty();
                assertThat(b[b.length - 1]).isZero();
                assertThat(d.fields().values()).allSatisfy(v -> assertThat(v).doesNotContain("\0"));
            } catch (ProtocolViolation expected) {
                rejected++;
            }
        }
        assertThat(parsed).as("some random inputs are well formed").isPositive();
        assertThat(rejected).isPositive();
    }

    @Test
    void randomWellFormedBodiesDecodeToTheModel() {
        Random random = new Random(7L);
        char[] codes = {'S', 'V', 'C', 'M', 'D', 'H', 'P', 'p', 'q', 'W', 's', 't', 'c', 'd', 'n', 'F', 'L', 'R',
                'Z', 'x', '1', '\u00ff'};
        for (int round = 0; round < 2_000; round++) {
            int n = random.nextInt(12);
            Object[] pairs = new Object[n * 2];
            Map<Field, String> expected = new EnumMap<>(Field.class);
            for (int i = 0; i < n; i++) {
                char code = codes[random.nextInt(codes.length)];
                StringBuilder text = new StringBuilder();
                for (int k = random.nextInt(20); k > 0; k--) {
                    text.appendCodePoint(1 + random.nextInt(random.nextBoolean() ? 127 : 0x2FFF));
                }
                pairs[2 * i] = code;
                pairs[2 * i + 1] = text.toString();
                Field f = Field.ofCode(code);
                if (f != null) {
                    expected.put(f, text.toString());
                }
            }
            byte[] b = body(pairs);
            assertThat(Diagnostic.parse(ByteBuffer.wrap(b)).fields()).isEqualTo(expected);
            // Cutting the last byte always breaks it.
            assertThatThrownBy(() -> Diagnostic.parse(ByteBuffer.wrap(b, 0, b.length - 1)))
                    .isInstanceOf(ProtocolViolation.class);
        }
    }

    @Test
    void diagnosticIsImmutable() {
        Map<Field, String> source = new EnumMap<>(Field.class);
        source.put(Field.MESSAGE_PRIMARY, "m");
        Diagnostic d = new Diagnostic(source);
        source.put(Field.MESSAGE_PRIMARY, "changed");
        assertThat(d.messagePrimary()).isEqualTo("m");
        assertThatThrownBy(() -> d.fields().put(Field.SQLSTATE, "x")).isInstanceOf(UnsupportedOperationException.class);
        Diagnostic parsed = Diagnostic.parse(ByteBuffer.wrap(UNIQUE));
        assertThatThrownBy(() -> parsed.fields().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
