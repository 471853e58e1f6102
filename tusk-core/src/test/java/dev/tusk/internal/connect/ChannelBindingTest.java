package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import org.junit.jupiter.api.Test;

import java.security.AlgorithmParameters;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelBindingTest {
    @Test
    void theHashFollowsTheSignatureAlgorithm() {
        assertThat(ChannelBinding.hashAlgorithm("SHA256withRSA", null)).isEqualTo("SHA-256");
        assertThat(ChannelBinding.hashAlgorithm("SHA384withECDSA", null)).isEqualTo("SHA-384");
        assertThat(ChannelBinding.hashAlgorithm("SHA512withRSA", null)).isEqualTo("SHA-512");
        assertThat(ChannelBinding.hashAlgorithm("SHA224withDSA", null)).isEqualTo("SHA-224");
        assertThat(ChannelBinding.hashAlgorithm("SHA3-256withECDSA", null)).isEqualTo("SHA3-256");
    }

    @Test
    void md5AndSha1AreReplacedBySha256() {
        assertThat(ChannelBinding.hashAlgorithm("MD5withRSA", null)).isEqualTo("SHA-256");
        assertThat(ChannelBinding.hashAlgorithm("SHA1withRSA", null)).isEqualTo("SHA-256");
        assertThat(ChannelBinding.hashAlgorithm("SHA1withECDSA", null)).isEqualTo("SHA-256");
    }

    @Test
    void rsassaPssUsesTheHashOfItsParameters() throws Exception {
        AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
        p.init(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1));
        assertThat(ChannelBinding.hashAlgorithm("RSASSA-PSS", p.getEncoded())).isEqualTo("SHA-384");
        assertThat(ChannelBinding.hashAlgorithm("RSASSA-PSS", null)).as("the default, SHA-1, becomes SHA-256").isEqualTo("SHA-256");
    }

    @Test
    void algorithmsWithoutASingleHashCannotBind() {
        assertThatThrownBy(() -> ChannelBinding.hashAlgorithm("Ed25519", null)).isInstanceOf(OperationalException.class)
                .hasMessageContaining("channel_binding=disable");
        assertThatThrownBy(() -> ChannelBinding.tlsServerEndPoint(null)).isInstanceOf(OperationalException.class)
                .hasMessageContaining("none");
    }
}
