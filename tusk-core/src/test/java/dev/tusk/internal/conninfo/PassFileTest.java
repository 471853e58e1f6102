package dev.tusk.internal.conninfo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PassFileTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private PassFile file(String text, String perms) throws IOException {
        Path f = Files.writeString(dir.resolve("pgpass"), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return new PassFile(f, warnings::add);
    }

    private PassFile file(String text) throws IOException {
        return file(text, "rw-------");
    }

    @Test
    void firstMatchingLineWins() throws IOException {
        PassFile f = file("""
                h:5432:db:u:first
                h:5432:db:u:second
                *:*:*:*:fallback
                """);
        assertThat(f.lookup("h", "5432", "db", "u")).isEqualTo("first");
        assertThat(f.lookup("other", "1", "x", "y")).isEqualTo("fallback");
        assertThat(warnings).isEmpty();
    }

    @Test
    void eachFieldMustMatchExactlyUnlessItIsAStar() throws IOException {
        PassFile f = file("h:5432:db:u:pw\n");
        assertThat(f.lookup("h", "5432", "db", "u")).isEqualTo("pw");
        assertThat(f.lookup("H", "5432", "db", "u")).isNull();
        assertThat(f.lookup("h", "5433", "db", "u")).isNull();
        assertThat(f.lookup("h", "5432", "db2", "u")).isNull();
        assertThat(f.lookup("h", "5432", "db", "u2")).isNull();
        assertThat(f.lookup("hh", "5432", "db", "u")).isNull();
        assertThat(f.lookup("", "5432", "db", "u")).isNull();
    }

    @Test
    void starMatchesOnlyAsAWholeField() throws IOException {
        PassFile f = file("h*:*:*:*:pw\n");
        assertThat(f.lookup("hx", "1", "d", "u")).isNull();
        assertThat(f.lookup("h*", "1", "d", "u")).isEqualTo("pw");
        PassFile g = file("*:5432:*:admin:pw2\n");
        assertThat(g.lookup("anything", "5432", "anydb", "admin")).isEqualTo("pw2");
        assertThat(g.lookup("anything", "5432", "anydb", "someone")).isNull();
    }

    @Test
    void escapesInFieldsAndPassword() throws IOException {
        PassFile f = file("""
                fe80\\:\\:1:5432:db\\\\x:u:p\\:w\\\\d
                *:*:*:star\\*:literalstar
                """);
        assertThat(f.lookup("fe80::1", "5432", "db\\x", "u")).isEqualTo("p:w\\d");
        assertThat(f.lookup("h", "1", "d", "star*")).isEqualTo("literalstar");
        assertThat(f.lookup("h", "1", "d", "star")).isNull();
    }

    @Test
    void passwordEndsAtAnUnescapedColon() throws IOException {
        PassFile f = file("*:*:*:*:pw:ignored\n");
        assertThat(f.lookup("h", "1", "d", "u")).isEqualTo("pw");
    }

    @Test
    void emptyPasswordMatches() throws IOException {
        PassFile f = file("*:*:*:*:\n");
        assertThat(f.lookup("h", "1", "d", "u")).isEmpty();
    }

    @Test
    void commentsBlankLinesShortLinesAndCrlfAreHandled() throws IOException {
        PassFile f = file("# h:1:d:u:commented\r\n\r\nh:1:d\r\nh:1:d:u:crlf\r\n");
        assertThat(f.lookup("h", "1", "d", "u")).isEqualTo("crlf");
    }

    @Test
    void groupOrWorldReadableFileIsIgnoredWithAWarning() throws IOException {
        PassFile f = file("*:*:*:*:pw\n", "rw-r--r--");
        assertThat(f.lookup("h", "1", "d", "u")).isNull();
        assertThat(warnings).singleElement().asString()
                .contains("has group or world access; permissions should be u=rw (0600) or less");
        warnings.clear();
        PassFile g = file("*:*:*:*:pw\n", "rw----r--");
        assertThat(g.lookup("h", "1", "d", "u")).isNull();
        assertThat(warnings).hasSize(1);
    }

    @Test
    void missingFileOrDirectoryGivesNoPassword() throws IOException {
        assertThat(new PassFile(dir.resolve("absent"), warnings::add).lookup("h", "1", "d", "u")).isNull();
        assertThat(warnings).isEmpty();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertThat(new PassFile(sub, warnings::add).lookup("h", "1", "d", "u")).isNull();
        assertThat(warnings).singleElement().asString().contains("is not a plain file");
    }
}
