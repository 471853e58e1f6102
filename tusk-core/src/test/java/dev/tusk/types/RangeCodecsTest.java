package dev.tusk.types;

import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tusk.types.CodecTesting.dump;
import static dev.tusk.types.CodecTesting.dumpText;
import static dev.tusk.types.CodecTesting.hex;
import static dev.tusk.types.CodecTesting.loadText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RangeCodecsTest {
    @Test
    void quotedBoundsParseAsRangeInReadsThem() {
        Range<String> r = RangeText.parseRange("[\"a\"\"b\",\"c\\\\d, e\"]");
        assertThat(r.lower()).isEqualTo("a\"b");
        assertThat(r.upper()).isEqualTo("c\\d, e");
        assertThat(RangeText.parseRange("(\"\",x)").lower()).isEqualTo("");
        assertThat(RangeText.parseRange("(,)").lowerInfinite()).isTrue();
        assertThat(RangeText.parseMultirange(" { [1,2) , (3,4] } ")).hasSize(2);
    }

    @Test
    void stringBoundsAreQuotedWhenTheyNeedIt() {
        assertThat(dumpText(Range.of("a\"b", "c d", "[]"))).isEqualTo("[\"a\"\"b\",\"c d\"]");
        assertThat(dumpText(Range.of("", null))).isEqualTo("[\"\",)");
        Range<String> back = RangeText.parseRange(dumpText(Range.of("x,(y)", "\\")));
        assertThat(back).isEqualTo(Range.of("x,(y)", "\\"));
    }

    @Test
    void binaryLayoutFollowsRangeSend() {
        // flags LB_INC (0x02), then two int4 bounds with their lengths
        assertThat(hex(dump(Range.of(1, 5), Format.BINARY))).isEqualTo("02" + "00000004" + "00000001" + "00000004" + "00000005");
        assertThat(hex(dump(Range.of(null, 5L, "(]"), Format.BINARY))).isEqualTo("0c" + "00000008" + "0000000000000005");
        assertThat(CodecTesting.M.dumperFor(Range.of(1, 5), Format.BINARY).oid()).isEqualTo(BuiltinTypes.INT4RANGE);
        assertThat(CodecTesting.M.dumperFor(Multirange.of(Range.of(1L, 5L)), Format.BINARY).oid())
                .isEqualTo(BuiltinTypes.INT8MULTIRANGE);
        assertThat(CodecTesting.M.dumperFor(Range.of(1, 5), null).oid()).isZero();
    }

    @Test
    void rangesRoundTripThroughTheLoaders() {
        for (Format f : Format.values()) {
            assertThat(CodecTesting.roundTrip(Range.of(1, 5), f, BuiltinTypes.INT4RANGE)).isEqualTo(Range.of(1, 5));
            assertThat(CodecTesting.roundTrip(Range.empty(), f, BuiltinTypes.INT4RANGE)).isEqualTo(Range.empty());
        }
        assertThat(loadText(BuiltinTypes.INT4MULTIRANGE, "{[1,3),[5,7)}"))
                .isEqualTo(List.of(Range.of(1, 3), Range.of(5, 7)));
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertThatThrownBy(() -> loadText(BuiltinTypes.INT4RANGE, "[1,2")).isInstanceOf(DataException.class)
                .hasMessageContaining("malformed range literal");
        assertThatThrownBy(() -> Range.of(1, 2, "<>")).isInstanceOf(ProgrammingException.class);
        assertThatThrownBy(() -> dump(Range.of("a", "b"), Format.BINARY)).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("no range type");
    }
}
