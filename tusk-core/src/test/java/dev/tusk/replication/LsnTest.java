package dev.tusk.replication;

import dev.tusk.errors.DataException;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class LsnTest {
    @Test
    void parsesAndFormatsAsPostgresDoes() {
        Lsn l = Lsn.parse("16/B374D848");
        assertThat(l.value()).isEqualTo(0x16B374D848L);
        assertThat(l.toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.parse("0/174ca48").toString()).isEqualTo("0/174CA48");
        assertThat(Lsn.parse("0/0174CA48")).isEqualTo(Lsn.parse("0/174CA48")); // zero-padded low half
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
        assertThat(Lsn.of(-1L).toString()).isEqualTo("FFFFFFFF/FFFFFFFF");
    }

    @Test
    void rejectsWhatIsNotAnLsn() {
        for (String bad : new String[]{"", "/", "1/", "/1", "1/2/3", "G/0", "123456789/0", "0/123456789", "0 /1", "-1/0"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(DataException.class).hasMessageContaining("invalid LSN");
        }
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(DataException.class);
    }

    @Test
    void ordersAsUnsignedNumbers() {
        List<Lsn> l = new ArrayList<>(List.of(Lsn.parse("FFFFFFFF/0"), Lsn.parse("0/10"), Lsn.parse("1/0"), Lsn.parse("0/F")));
        Collections.sort(l);
        assertThat(l).extracting(Lsn::toString).containsExactly("0/F", "0/10", "1/0", "FFFFFFFF/0");
        assertThat(Lsn.parse("80000000/0").isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isTrue();
        assertThat(Lsn.max(Lsn.parse("1/0"), Lsn.parse("0/FFFFFFFF"))).isEqualTo(Lsn.parse("1/0"));
        assertThat(Lsn.min(Lsn.parse("1/0"), Lsn.parse("0/FFFFFFFF"))).isEqualTo(Lsn.parse("0/FFFFFFFF"));
    }

    @Test
    void arithmeticInBytes() {
        assertThat(Lsn.parse("0/FFFFFFFF").plus(1)).isEqualTo(Lsn.parse("1/0"));
        assertThat(Lsn.parse("1/0").minus(1)).isEqualTo(Lsn.parse("0/FFFFFFFF"));
        assertThat(Lsn.parse("1/10").minus(Lsn.parse("1/0"))).isEqualTo(16);
        assertThat(Lsn.parse("1/0").minus(Lsn.parse("1/10"))).isEqualTo(-16);
        assertThatThrownBy(() -> Lsn.parse("FFFFFFFF/FFFFFFFF").plus(1)).isInstanceOf(DataException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> Lsn.INVALID.minus(1)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> Lsn.of(-1L).minus(Lsn.INVALID)).isInstanceOf(ArithmeticException.class);
        assertThat(Lsn.INVALID.isValid()).isFalse();
    }
}
