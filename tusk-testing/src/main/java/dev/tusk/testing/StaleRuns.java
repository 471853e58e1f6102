package dev.tusk.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Removes what test JVMs that died without running their shutdown hook (kill -9, a crashed fork) left in
 * {@code ${java.io.tmpdir}/tusk-pg}: their servers are stopped and their {@code run-<pid>-*} directories deleted.
 */
final class StaleRuns {

    private StaleRuns() {
    }

    static void cleanUp() {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "tusk-pg");
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(root, "run-*")) {
            for (Path run : runs) {
                if (ownerIsAlive(run)) {
                    continue;
                }
                Path data = run.resolve("data");
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    try {
                        Tools.runPostgres("pg_ctl", List.of("-D", data.toString(), "-m", "immediate", "-w", "-s", "stop"), run);
                    } catch (RuntimeException e) {
                        // already gone, or built by other binaries: deleting the directory is what matters
                    }
                }
                Tools.deleteRecursively(run);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[tusk-testing] could not clean up stale servers in " + root + ": " + e.getMessage());
        }
    }

    private static boolean ownerIsAlive(Path run) {
        String[] parts = run.getFileName().toString().split("-");
        try {
            return ProcessHandle.of(Long.parseLong(parts[1])).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return true; // not ours to judge
        }
    }
}
