package dev.tusk.internal.conninfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The password file (libpq's {@code ~/.pgpass}): lines {@code hostname:port:database:username:password}, where a
 * field of just {@code *} matches anything, {@code \:} and {@code \\} stand for a colon and a backslash, and
 * {@code #} starts a comment line. The first matching line wins. As in libpq the file is ignored, with a warning,
 * when it is not a plain file or when group or others may read it (POSIX file systems only).
 */
public final class PassFile {
    private static final System.Logger LOG = System.getLogger(PassFile.class.getName());

    private static final Set<PosixFilePermission> GROUP_OR_WORLD = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Path file;
    private final Consumer<String> warnings;

    public PassFile(Path file) {
        this(file, message -> LOG.log(System.Logger.Level.WARNING, message));
    }

    /** A password file whose warnings go to {@code warnings} instead of the logger. */
    PassFile(Path file, Consumer<String> warnings) {
        this.file = file;
        this.warnings = warnings;
    }

    public Path path() {
        return file;
    }

    /**
     * The password of the first line matching the four fields, or null when none matches, the file does not
     * exist or is ignored. {@code host} must already be the name libpq matches (see {@link ConnParams}).
     */
    public String lookup(String host, String port, String database, String user) {
        if (file == null || database == null || database.isEmpty() || user == null || user.isEmpty()) {
            return null;
        }
        if (!Files.exists(file)) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            warnings.accept("password file \"" + file + "\" is not a plain file; ignoring it");
            return null;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, new LinkOption[0]);
            if (perms.stream().anyMatch(GROUP_OR_WORLD::contains)) {
                warnings.accept("password file \"" + file + "\" has group or world access; permissions should be"
                        + " u=rw (0600) or less; ignoring it (fix with: chmod 0600 " + file + ")");
                return null;
            }
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): libpq does not check there either.
        } catch (IOException e) {
            warnings.accept("cannot check the permissions of password file \"" + file + "\": " + e.getMessage());
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            warnings.accept("cannot read password file \"" + file + "\": " + e.getMessage());
            return null;
        }
        String[] wanted = {host, port, database, user};
        for (String raw : lines) {
            String line = stripLineEnd(raw);
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            String password = match(line, wanted);
            if (password != null) {
                return password;
            }
        }
        return null;
    }

    /** The password of {@code line} if its first four fields match {@code wanted}, else null. */
    static String match(String line, String[] wanted) {
        int pos = 0;
        for (String token : wanted) {
            pos = matchField(line, pos, token);
            if (pos < 0) {
                return null;
            }
        }
        StringBuilder password = new StringBuilder();
        for (int i = pos; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ':') {
                break;
            }
            if (c == '\\' && i + 1 < line.length()) {
                c = line.charAt(++i);
            }
            password.append(c);
        }
        return password.toString();
    }

    /**
     * Matches the field starting at {@code pos} against {@code token}; returns the position after the field's
     * colon, or -1 if it does not match or no colon ends it.
     */
    private static int matchField(String line, int pos, String token) {
        int n = line.length();
        if (pos + 1 < n && line.charAt(pos) == '*' && line.charAt(pos + 1) == ':') {
            return pos + 2;
        }
        int t = 0;
        int i = pos;
        while (i < n) {
            char c = line.charAt(i);
            boolean escaped = false;
            if (c == '\\' && i + 1 < n) {
                c = line.charAt(++i);
                escaped = true;
            }
            if (c == ':' && !escaped) {
                return t == token.length() ? i + 1 : -1;
            }
            if (t >= token.length() || token.charAt(t) != c) {
                return -1;
            }
            t++;
            i++;
        }
        return -1;
    }

    private static String stripLineEnd(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\r' || s.charAt(end - 1) == '\n')) {
            end--;
        }
        return s.substring(0, end);
    }
}
