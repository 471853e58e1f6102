package dev.tusk.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * (g) The server's own limit for workload (a): pgbench with a custom script doing the same point select,
 * {@code -M prepared}, one client. Runs only when a {@code pgbench} binary is on the PATH (it is not part
 * of the embedded server); otherwise the row is left out of the report.
 */
final class PgBench {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

    private PgBench() {
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "pgbench"))) {
                return true;
            }
        }
        return false;
    }

    /** Point selects per second over {@code seconds}, as pgbench reports them (without connection time). */
    static double pointSelects(int port, int seconds) throws IOException, InterruptedException {
        Path script = Files.createTempFile("tusk-pgbench", ".sql");
        try {
            Files.writeString(script, "\\set id random(1, " + BenchServer.KV_ROWS + ")\n"
                    + "SELECT v FROM bench_kv WHERE id = :id;\n");
            ProcessBuilder pb = new ProcessBuilder(List.of("pgbench", "-n", "-M", "prepared", "-c", "1", "-j", "1",
                    "-T", Integer.toString(seconds), "-f", script.toString(),
                    "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", BenchServer.USER, BenchServer.DB));
            pb.environment().put("PGPASSWORD", BenchServer.PASSWORD);
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("pgbench failed:\n" + out);
            }
            Matcher m = TPS.matcher(out);
            if (!m.find()) {
                throw new IOException("no tps in pgbench's output:\n" + out);
            }
            return Double.parseDouble(m.group(1));
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
