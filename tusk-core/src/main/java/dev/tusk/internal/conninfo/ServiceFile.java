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
 * libpq's connection service file: INI-style {@code [service]} sections of {@code keyword=value} lines,
 * {@code #} comments. The user's file ({@code servicefile}, {@code PGSERVICEFILE}, or
 * {@code ~/.pg_service.conf}) is searched first, then {@code PGSYSCONFDIR/pg_service.conf}.
 */
final class ServiceFile {
    private ServiceFile() {
    }

    /** The keywords of {@code service}; ProgrammingException when no file defines it. */
    static Map<String, String> lookup(String service, List<Path> files) {
        for (Path f : files) {
            if (f != null && Files.isRegularFile(f)) {
                Map<String, String> found = section(read(f), service, f);
                if (found != null) {
                    return found;
                }
            }
        }
        throw new ProgrammingException("definition of service \"" + service + "\" not found (searched " + files + ")");
    }

    private static List<String> read(Path f) {
        try {
            return Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read service file " + f, e);
        }
    }

    static Map<String, String> section(List<String> lines, String service, Path file) {
        Map<String, String> out = null;
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (out != null) {
                    return out; // the next section starts: ours is complete
                }
                if (line.endsWith("]") && line.substring(1, line.length() - 1).equals(service)) {
                    out = new LinkedHashMap<>();
                }
                continue;
            }
            if (out == null) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ProgrammingException("syntax error in service file \"" + file + "\", line " + n + ": expected keyword=value");
            }
            String key = line.substring(0, eq).strip();
            if (key.equals("service")) {
                throw new ProgrammingException("nested service specifications not supported in service file \"" + file + "\", line " + n);
            }
            Keywords.requireKnown(key);
            out.putIfAbsent(key, line.substring(eq + 1).strip());
        }
        return out;
    }
}
