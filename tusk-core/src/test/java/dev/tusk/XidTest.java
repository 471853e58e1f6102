package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.op.TwoPhaseSteps;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XidTest {
    @Test
    void xaIdEncodesAsFormatIdAndBase64PartsLikePsycopgAndPgjdbc() {
        // base64("gtrid") = Z3RyaWQ=, base64("bqual") = YnF1YWw=, base64("") = ""
        assertThat(new Xid(42, "gtrid", "bqual").toString()).isEqualTo("42_Z3RyaWQ=_YnF1YWw=");
        assertThat(new Xid(0, "gtrid", "").toString()).isEqualTo("0_Z3RyaWQ=_");
        // UTF-8 bytes: "é" = C3 A9 -> w6k=
        assertThat(new Xid(1, "é", "x").toString()).isEqualTo("1_w6k=_eA==");
    }

    @Test
    void xaIdRoundTripsThroughFromString() {
        Xid xid = new Xid(7, "order_1234 with_underscores", "branch/β");
        Xid back = Xid.fromString(xid.toString());
        assertThat(back).isEqualTo(xid);
        assertThat(back.formatId()).isEqualTo(7);
        assertThat(back.gtrid()).isEqualTo("order_1234 with_underscores");
        assertThat(back.bqual()).isEqualTo("branch/β");
    }

    @Test
    void aPlainGidParsesToANonXaId() {
        Xid xid = Xid.fromString("my-transaction");
        assertThat(xid.formatId()).isNull();
        assertThat(xid.gtrid()).isEqualTo("my-transaction");
        assertThat(xid.bqual()).isNull();
        assertThat(xid.toString()).isEqualTo("my-transaction");
        assertThat(Xid.fromString(xid.toString())).isEqualTo(xid);
    }

    @Test
    void malformedXaLookalikesStayPlainGids() {
        for (String s : new String[] {"1_!!!_YQ==", "1_a_b_c", "99999999999_YQ==_YQ==", "x_YQ==_YQ==", "1_/w==_YQ=="}) {
            Xid xid = Xid.fromString(s);
            assertThat(xid.formatId()).as(s).isNull();
            assertThat(xid.gtrid()).as(s).isEqualTo(s);
        }
    }

    @Test
    void equalityIgnoresRecoveryDetails() {
        Xid plain = new Xid(3, "g", "b");
        Xid recovered = Xid.recovered("3_Zw==_Yg==", Instant.parse("2024-01-02T03:04:05Z"), "alice", "app");
        assertThat(recovered).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(recovered.prepared()).isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(recovered.owner()).isEqualTo("alice");
        assertThat(recovered.database()).isEqualTo("app");
        assertThat(plain.prepared()).isNull();
        assertThat(plain.owner()).isNull();
        assertThat(plain.database()).isNull();
        assertThat(new Xid(3, "g", "c")).isNotEqualTo(plain);
        assertThat(new Xid(4, "g", "b")).isNotEqualTo(plain);
        assertThat(new Xid(null, "g", null)).isNotEqualTo(new Xid(0, "g", ""));
    }

    @Test
    void invalidIdsAreRefused() {
        assertThatThrownBy(() -> new Xid(-1, "g", "b")).isInstanceOf(ProgrammingException.class).hasMessageContaining("non-negative");
        assertThatThrownBy(() -> new Xid(1, "g", null)).isInstanceOf(ProgrammingException.class).hasMessageContaining("bqual");
        assertThatThrownBy(() -> new Xid(null, "g", "b")).isInstanceOf(ProgrammingException.class).hasMessageContaining("plain gid");
        assertThatThrownBy(() -> new Xid(1, null, "b")).isInstanceOf(ProgrammingException.class).hasMessageContaining("gtrid");
        assertThatThrownBy(() -> new Xid(1, "g".repeat(65), "b")).isInstanceOf(ProgrammingException.class).hasMessageContaining("64");
        assertThatThrownBy(() -> new Xid(1, "g", "b".repeat(65))).isInstanceOf(ProgrammingException.class).hasMessageContaining("64");
    }

    @Test
    void gidLiteralsAreQuoted() {
        assertThat(TwoPhaseSteps.quoteLiteral("plain")).isEqualTo("'plain'");
        assertThat(TwoPhaseSteps.quoteLiteral("it's")).isEqualTo("'it''s'");
        assertThat(TwoPhaseSteps.quoteLiteral("a\\b'c")).isEqualTo("E'a\\\\b''c'");
    }
}
