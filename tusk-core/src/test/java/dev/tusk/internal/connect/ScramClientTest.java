package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramClientTest {
    // RFC 7677 section 3
    private static final String NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    private static ScramClient rfcClient() {
        return new ScramClient("user", "pencil".getBytes(StandardCharsets.UTF_8), "n,,", null, NONCE);
    }

    @Test
    void rfc7677TestVector() {
        ScramClient c = rfcClient();
        assertThat(new String(c.clientFirst(), StandardCharsets.UTF_8)).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        assertThat(new String(c.clientFinal(SERVER_FIRST), StandardCharsets.UTF_8)).isEqualTo(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        c.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assertThat(c.serverVerified()).isTrue();
    }

    @Test
    void aServerThatDoesNotKnowThePasswordIsRefused() {
        ScramClient c = rfcClient();
        c.clientFirst();
        c.clientFinal(SERVER_FIRST);
        assertThatThrownBy(() -> c.verifyServerFinal("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
                .isInstanceOf(OperationalException.class).hasMessageContaining("signature does not match");
        assertThatThrownBy(() -> c.verifyServerFinal("e=invalid-proof")).hasMessageContaining("invalid-proof");
    }

    @Test
    void aServerNonceThatDoesNotExtendOursIsRefused() {
        ScramClient c = rfcClient();
        c.clientFirst();
        assertThatThrownBy(() -> c.clientFinal("r=somethingElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
                .isInstanceOf(OperationalException.class).hasMessageContaining("nonce");
        assertThatThrownBy(() -> c.clientFinal("r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
                .as("the server must add its own part").hasMessageContaining("nonce");
        assertThatThrownBy(() -> c.clientFinal("r=" + NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0")).hasMessageContaining("iteration");
        assertThatThrownBy(() -> c.clientFinal("r=" + NONCE + "x,i=4096")).hasMessageContaining("'s'");
    }

    @Test
    void channelBindingDataGoesIntoTheCAttribute() {
        byte[] data = {1, 2, 3};
        ScramClient c = new ScramClient(new byte[] {'p'}, "p=tls-server-end-point,,", data, NONCE);
        c.clientFirst();
        String fin = new String(c.clientFinal(SERVER_FIRST), StandardCharsets.UTF_8);
        // base64("p=tls-server-end-point,," + 01 02 03)
        assertThat(fin).startsWith("c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAQID,");
    }

    @Test
    void nonceIsFreshAndPrintable() {
        String a = ScramClient.newNonce();
        assertThat(a).isNotEqualTo(ScramClient.newNonce()).matches("[A-Za-z0-9+/=]{24}");
    }
}
