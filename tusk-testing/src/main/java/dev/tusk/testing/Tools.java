package dev.tusk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Runs external programs (initdb, pg_ctl, tar) and tidies directories, for the harness. */
final class Tools {

    private static final boolean ROOT = isRoot();

    private Tools() {
    }

    /**
     * Runs a PostgreSQL program from the unpacked binaries. PostgreSQL refuses to run as root, so as root the
     * program runs inside a fresh user namespace ({@code unshare -U}) where it is an unprivileged user.
     */
    static String runPostgres(String program, List<String> args, Path workDir) {
        List<String> command = new ArrayList<>();
        if (ROOT) {
            command.add("unshare");
            command.add("-U");
        }
        command.add(PostgresBinaries.bin(program).toString());
        command.addAll(args);
        return run(command, workDir, program);
    }

    /**
     * Runs {@code command} and returns its output. Output goes through a file, not a pipe: pg_ctl's postmaster
     * child would otherwise inherit the pipe and keep it open for as long as the server lives.
     */
    static String run(List<String> command, Path workDir, String what) {
        try {
            Path out = Files.createTempFile(workDir, "cmd-", ".out");
            try {
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                int exit = process.waitFor();
                String output = Files.readString(out);
                if (exit != 0) {
                    throw new IllegalStateException(what + " failed with exit code " + exit + ": " + String.join(" ", command)
                            + "\n" + output.strip());
                }
                return output;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + what, e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
