package dev.tusk.internal.conninfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * libpq's password file: lines of {@code hostname:port:database:username:password}, {@code *} matching
 * anything in the first four fields, {@code \:} and {@code \\} escapes, {@code #} comments; the first
 * matching line wins. A unix-socket connection matches {@code localhost}. A file that others may read is
 * ignored (with a warning), as libpq does.
 */
final class PassFile {
    private static final System.Logger LOG = System.getLogger("dev.tusk.connect");

    private PassFile() {
    }

    /** The password for the connection, or null. */
    static String lookup(Path file, String host, String port, String dbname, String user) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        if (!privateEnough(file)) {
            LOG.log(System.Logger.Level.WARNING, "password file \"" + file + "\" has group or world access;"
                    + " permissions should be u=rw (0600) or less: it is ignored");
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read password file \"" + file + "\": " + e.getMessage());
            return null;
        }
        return lookup(lines, host, port, dbname, user);
    }

    static String lookup(List<String> lines, String host, String port, String dbname, String user) {
        String wantedHost = host == null || host.isEmpty() || host.startsWith("/") || host.startsWith("@") ? "localhost" : host;
        String[] wanted = {wantedHost, port, dbname, user};
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = split(line);
            if (fields.size() < 5) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < 4 && match; i++) {
                match = fields.get(i).equals("*") || fields.get(i).equals(wanted[i]);
            }
            if (match) {
                return fields.get(4);
            }
        }
        return null;
    }

    /** Splits on unescaped ':'; the password field takes the rest of the line. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>(5);
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 4) {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }

    private static boolean privateEnough(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            return p.stream().noneMatch(x -> x.name().startsWith("GROUP_") || x.name().startsWith("OTHERS_"));
        } catch (UnsupportedOperationException | IOException e) {
            return true; // not a POSIX file system: libpq does not check there either
        }
    }
}
