package dev.tusk;

import dev.tusk.errors.TuskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * No error about a malformed connection string shows any part of its password (trust #25): many malformed URIs
 * and keyword/value strings, with passwords that hold the characters that break parsing, and every exception
 * message, cause and stack trace checked for every run of 4 characters of the password. No server needed:
 * every string fails before any network traffic.
 */
@Timeout(60)
class ConninfoSecretsTest {
    private static final List<String> PASSWORDS = List.of(
            "S3cret%zzUri2!",          // a bad percent escape inside the password
            "Pa55/w0rd?Fr4g#x",        // characters that end the user info of a URI early
            "p@ss:w0rd@Ta1l99",        // '@' and ':' unencoded
            "[Brack]etPass:1",         // brackets, as an IPv6 host has
            "hun7er22 extraw0rds",     // a space: an unquoted value ends there
            "Tick'Qu0te\\Back%00Nul"); // a quote, a backslash and a forbidden %00

    private static List<String> uris(String p) {
        return List.of(
                "postgresql://u:" + p + "@h/db",
                "postgresql://u:" + p + "@h:port/db",
                "postgresql://u:" + p + "@h:99999/db",
                "postgresql://u:" + p + "@[::1/db",
                "postgresql://u:" + p + "@[]/db",
                "postgresql://u:" + p + "@[::1]x/db",
                "postgresql://u:" + p + "@h/d%zzb",
                "postgresql://u:" + p + "@h/d%00b",
                "postgresql://u:" + p + "@h/db?sslmode=sometimes",
                "postgresql://u:" + p + "@h/db?bogus=1",
                "postgresql://u:" + p + "@h/db?noequals",
                "postgresql://u:" + p + "@h/db?a=b=c",
                "postgresql://u:" + p + "@h/db?connect_timeout=soon",
                "postgresql://u:" + p + "%zz@h/db",
                "postgresql://u:" + p + "%00@h/db",
                "postgresql://h/db?password=" + p + "&bogus=1",
                "postgresql://h/db?password=" + p + "%zz",
                "postgresql://h/db?password=" + p + "&port=abc",
                "postgresql://h/db?sslpassword=" + p + "&sslmode=never");
    }

    private static List<String> keywordStrings(String p) {
        String quoted = "'" + p.replace("\\", "\\\\").replace("'", "\\'") + "'";
        return List.of(
                "password=" + p + " dbname",
                "password=" + p + " port=abc",
                "password=" + p + " bogus=1",
                "password=" + p + " sslmode=sometimes",
                "host=h password=" + p,
                "password='" + p,
                "password=" + quoted + " dbname",
                "password=" + quoted + " port=0",
                "password = " + quoted + " require_auth=md5,!password",
                "user=u " + p,                           // the keyword forgotten
                "user=u password " + p,                  // the '=' forgotten
                "sslpassword=" + p + " sslmode=bogus");
    }

    @Test
    void noErrorAboutAMalformedStringShowsAnyPartOfThePassword() { // trust #25
        List<String> leaks = new ArrayList<>();
        int failures = 0;
        for (String p : PASSWORDS) {
            List<String> all = new ArrayList<>(uris(p));
            all.addAll(keywordStrings(p));
            all.add("host=a,b port=1,2,3 password=" + p);          // fails when connecting, before any traffic
            all.add("host=127.0.0.1 port=1 gssencmode=require password=" + p);
            for (String conninfo : all) {
                for (int way = 0; way < 2; way++) {
                    Throwable t = null;
                    try {
                        if (way == 0) {
                            Conninfo.parse(conninfo);
                        } else if (conninfo.contains("127.0.0.1") || conninfo.contains("a,b")) {
                            Connection.connect(conninfo).close();
                        }
                    } catch (TuskException e) {
                        t = e;
                    }
                    if (t == null) {
                        continue; // some strings are well-formed for one of the passwords
                    }
                    failures++;
                    String shown = messages(t);
                    String piece = leakedPiece(shown, p);
                    if (piece != null) {
                        leaks.add(conninfo + "\n    leaks \"" + piece + "\" in: " + t);
                    }
                }
            }
        }
        assertThat(failures).as("the strings must fail").isGreaterThan(100);
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " messages show part of the password:\n" + String.join("\n", leaks));
        }
    }

    @Test
    void uriErrorsStillSayWhatIsWrongWithoutThePassword() { // trust #25
        Throwable t = catchParse("postgresql://u:S3cret%zzUri2!@h/db");
        assertThat(t.getMessage()).contains("invalid percent-encoded token in the password")
                .contains("postgresql://u:***@h/db").doesNotContain("S3cret").doesNotContain("zzUri");
        t = catchParse("postgresql://h/db?password=S3cret%zzUri2!");
        assertThat(t.getMessage()).contains("the value of \"password\"").doesNotContain("S3cret");
        t = catchParse("postgresql://h/d%zzb");
        assertThat(t.getMessage()).contains("\"%zz\""); // no secret: the token is still quoted
    }

    private static Throwable catchParse(String s) {
        try {
            Conninfo.parse(s);
        } catch (TuskException e) {
            return e;
        }
        throw new AssertionError("parsed: " + s);
    }

    /** A run of 4 characters of {@code password} found in {@code text}, or null. */
    private static String leakedPiece(String text, String password) {
        for (int i = 0; i + 4 <= password.length(); i++) {
            String piece = password.substring(i, i + 4);
            if (text.contains(piece)) {
                return piece;
            }
        }
        return null;
    }

    /** What a program may log of {@code t}: its messages, its causes' and suppressed exceptions' (not code locations). */
    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append('\n');
            for (Throwable s : c.getSuppressed()) {
                b.append(messages(s));
            }
        }
        return b.toString();
    }
}
