package dev.tusk.internal.connect;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.Tusk;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-process SCRAM key cache against a real server's SCRAM logins. */
@TuskTest
@Timeout(60)
class ScramKeyCacheServerTest {
    private long derivations;
    private long hits;

    @BeforeEach
    void startEmpty() {
        Tusk.clearAuthCache();
        mark();
    }

    private void mark() {
        derivations = ScramKeyCache.DERIVATIONS.get();
        hits = ScramKeyCache.HITS.get();
    }

    private long newDerivations() {
        return ScramKeyCache.DERIVATIONS.get() - derivations;
    }

    private long newHits() {
        return ScramKeyCache.HITS.get() - hits;
    }

    /** One connection attempt (sslmode=prefer would try again without TLS after a refused login). */
    private static String whoAmI(String conninfo) {
        try (Connection<Row> conn = Connection.connect(conninfo + " sslmode=disable")) {
            return conn.execute("SELECT current_user").fetchone().getString(0);
        }
    }

    private static void setPassword(TestDatabase db, String password) {
        try (Connection<?> admin = Connection.connect(db.conninfo())) {
            admin.execute("SET password_encryption = 'scram-sha-256'");
            admin.execute("ALTER ROLE " + db.scramUser() + " PASSWORD '" + password + "'");
            admin.commit();
        }
    }

    @Test
    void aSecondLoginReusesTheSaltedPasswordInsteadOfDerivingItAgain(TestDatabase db) {
        String conninfo = db.conninfo(db.scramUser(), db.scramPassword());
        assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
        assertThat(newDerivations()).isEqualTo(1);
        assertThat(newHits()).isZero();
        assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
        assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
        assertThat(newDerivations()).as("derived once").isEqualTo(1);
        assertThat(newHits()).isEqualTo(2);
        assertThat(ScramKeyCache.size()).isEqualTo(1);
    }

    @Test
    void aWrongPasswordNeverFindsTheRightOnesKeys(TestDatabase db) {
        assertThat(whoAmI(db.conninfo(db.scramUser(), db.scramPassword()))).isEqualTo(db.scramUser());
        mark();
        String wrong = db.conninfo(db.scramUser(), "not-the-Secret-1");
        assertThatThrownBy(() -> whoAmI(wrong))
                .isInstanceOf(OperationalException.class).hasMessageContaining("password authentication failed");
        assertThat(newHits()).isZero();
        assertThat(newDerivations()).isEqualTo(1);
    }

    @Test
    void aPasswordSetAgainGivesANewSaltSoTheCachedKeysAreNotUsed(TestDatabase db) {
        String conninfo = db.conninfo(db.scramUser(), db.scramPassword());
        try {
            assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
            // the same password stored again: the server draws a new salt
            setPassword(db, db.scramPassword());
            mark();
            assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
            assertThat(newHits()).as("the old salt's entry is not used").isZero();
            assertThat(newDerivations()).isEqualTo(1);

            // a new password: the old one is refused (its cached keys do not help), the new one logs in
            setPassword(db, "rotated-Secret-2");
            mark();
            assertThatThrownBy(() -> whoAmI(conninfo))
                    .isInstanceOf(OperationalException.class).hasMessageContaining("password authentication failed");
            assertThat(whoAmI(db.conninfo(db.scramUser(), "rotated-Secret-2"))).isEqualTo(db.scramUser());
            assertThat(whoAmI(db.conninfo(db.scramUser(), "rotated-Secret-2"))).isEqualTo(db.scramUser());
            assertThat(newHits()).isEqualTo(1);
            assertThat(newDerivations()).isEqualTo(2);
        } finally {
            setPassword(db, db.scramPassword());
        }
        assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
    }

    @Test
    void clearAuthCacheForgetsTheKeys(TestDatabase db) {
        String conninfo = db.conninfo(db.scramUser(), db.scramPassword());
        assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
        assertThat(ScramKeyCache.size()).isEqualTo(1);
        Tusk.clearAuthCache();
        assertThat(ScramKeyCache.size()).isZero();
        mark();
        assertThat(whoAmI(conninfo)).isEqualTo(db.scramUser());
        assertThat(newDerivations()).isEqualTo(1);
        assertThat(newHits()).isZero();
    }

    @Test
    void theCacheKeepsAtMostItsCapacity() {
        byte[] password = "p".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < ScramKeyCache.CAPACITY + 10; i++) {
            ScramKeyCache.saltedPassword(password, new byte[] {(byte) i}, 1);
        }
        assertThat(ScramKeyCache.size()).isEqualTo(ScramKeyCache.CAPACITY);
        assertThat(ScramKeyCache.saltedPassword(password, new byte[] {(byte) 70}, 1))
                .isEqualTo(ScramClient.hi(password, new byte[] {(byte) 70}, 1));
        mark();
        ScramKeyCache.saltedPassword(password, new byte[] {0}, 1);
        assertThat(newDerivations()).as("the eldest was dropped").isEqualTo(1);
        ScramKeyCache.saltedPassword(password, new byte[] {1}, 2);
        assertThat(newDerivations()).as("another count is another entry").isEqualTo(2);
    }
}
