package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection service file (libpq's {@code pg_service.conf}): INI-style sections {@code [name]} of
 * {@code keyword=value} lines; {@code #} starts a comment line. As in libpq, the per-user file
 * (PGSERVICEFILE / the {@code servicefile} keyword, else ~/.pg_service.conf) is searched first, then the
 * system-wide one (PGSYSCONFDIR/pg_service.conf); the first file that has the section supplies all of it.
 */
public final class ServiceFile {
    private ServiceFile() {
    }

    /**
     * The parameters of service {@code name}.
     *
     * @param userFile the per-user file to search first (may be null or missing)
     * @param systemFile the system-wide file (may be null or missing)
     * @throws ProgrammingException if no file defines the service, or a file has a syntax error
     */
    public static Map<String, String> lookup(String name, Path userFile, Path systemFile) {
        for (Path file : new Path[] {userFile, systemFile}) {
            if (file != null && Files.isRegularFile(file)) {
                Map<String, String> found = readSection(file, name);
                if (found != null) {
                    return found;
                }
            }
        }
        throw new ProgrammingException("definition of service \"" + name + "\" not found (looked in "
                + describe(userFile) + " and " + describe(systemFile) + "); check the service name or set"
                + " PGSERVICEFILE");
    }

    private static String describe(Path p) {
        return p == null ? "(no per-user file)" : "\"" + p + "\"";
    }

    /** The keywords of section {@code name} in {@code file}, or null if the file has no such section. */
    static Map<String, String> readSection(Path file, String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read service file \"" + file + "\": " + e.getMessage(), e);
        }
        Map<String, String> section = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (section != null) {
                    break;
                }
                int close = line.indexOf(']');
                String group = close < 0 ? line.substring(1) : line.substring(1, close);
                if (group.equals(name)) {
                    section = new LinkedHashMap<>();
                }
                continue;
            }
            if (section == null) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw syntax(file, i + 1, "expected keyword=value");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("service") || key.equals("servicefile")) {
                throw new ProgrammingException("nested " + key + " specifications not supported in service file \""
                        + file + "\", line " + (i + 1));
            }
            if (!Keywords.isKnown(key)) {
                String hint = Keywords.closest(key);
                throw syntax(file, i + 1, "unknown keyword \"" + key + "\""
                        + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
            }
            section.putIfAbsent(key, value);
        }
        return section;
    }

    private static ProgrammingException syntax(Path file, int line, String detail) {
        return new ProgrammingException("syntax error in service file \"" + file + "\", line " + line + ": " + detail);
    }
}
