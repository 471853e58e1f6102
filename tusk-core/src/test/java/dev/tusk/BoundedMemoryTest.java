package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million rows of 200 bytes each through {@code stream()}, a ServerCursor, and COPY TO STDOUT in text and
 * binary, in a child JVM with {@code -Xmx64m}, on both drivers: if any path buffered the whole result, it would run out
 * of heap.
 */
@TuskTest
class BoundedMemoryTest {
    @ParameterizedTest
    @EnumSource(Flavour.class)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aMillionRowsThroughEveryStreamingPathIn64MbOfHeap(Flavour flavour, TestDatabase db) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                BoundedMemoryMain.class.getName(), db.conninfo(), flavour.name())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        long n = BoundedMemoryMain.ROWS;
        assertThat(out).contains("stream " + n * (n + 1) / 2 + " " + n * 200);
        assertThat(out).contains("servercursor " + n * (n + 1) / 2);
        assertThat(out).containsPattern("copy " + n + " \\d{9}");
    }
}
