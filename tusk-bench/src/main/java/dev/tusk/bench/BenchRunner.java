package dev.tusk.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every workload on every client, interleaved round by round (the client order rotates each
 * round, so the machine's drift cancels out), against one embedded PostgreSQL; prints a table of
 * throughput and ratios to a baseline (pgjdbc; its reWriteBatchedInserts mode for inserts, HikariCP for the
 * pool workloads: the median of per-round ratios), and writes {@code results/results.csv}
 * and {@code results/chart.svg}.
 *
 * <p>{@code quick} (default): 1 round of 1 s warm-up (3 s for point selects, fetch and insert) + 2 × 1 s measurement per client,
 * about 3.5 minutes on 2 cores; run it twice to see the spread.
 * {@code full}: 3 rounds of 3 × 2 s warm-up + 5 × 2 s. A workload name (point, fetch, fetch-receive, insert, concurrent, pipelining-256, observed-point, connect, pool, pool-8thr, jdbc-point, jdbc-fetch, jdbc-insert, jdbc-pool, jdbc-pool-8thr, r2dbc-point, r2dbc-fetch, r2dbc-insert, r2dbc-inflight, replication)
 * after the mode restricts the run to it ({@code getters} runs only when named: it reads rows already in memory;
 * {@code replication} too: its server runs with {@code wal_level=logical}; and the scale workloads
 * {@code scale-inflight}, {@code scale-heap}, {@code scale-idle}, {@code scale-stream}, or {@code scale} for all four:
 * not JMH, each in JVMs of its own, see {@link ScaleBench}). The point-select workload also runs pgbench (same query,
 * {@code -M prepared}) when it is installed, as the server's own limit; the fetch workload reports the
 * server's own limit as "server" (its time to produce and serialize the rows, see {@link ServerSerializeLimit}).
 */
public final class BenchRunner {

    /**
     * A workload: its JMH class, its clients, how many units one JMH operation is, and the seconds of
     * warm-up a quick run gives it.
     */
    record Workload(String name, Class<?> bench, String method, List<String> clients, double unitsPerOp, String unit,
                    Map<String, String> params, int quickWarmupSeconds) {
        Workload(String name, Class<?> bench, String method, List<String> clients, double unitsPerOp, String unit) {
            this(name, bench, method, clients, unitsPerOp, unit, Map.of(), 1);
        }

        Workload(String name, Class<?> bench, String method, List<String> clients, double unitsPerOp, String unit,
                 Map<String, String> params) {
            this(name, bench, method, clients, unitsPerOp, unit, params, 1);
        }
    }

    private static final List<String> R2DBC_CLIENTS = List.of("tusk-r2dbc", "r2dbc-postgresql");

    static final List<Workload> WORKLOADS = List.of(
            // one second does not get every client's per-query path through C2 with a spinner on one of two
            // vCPUs: the client with more code to compile would be measured while compiling
            new Workload("point", PointSelectBench.class, "", List.of("tusk", "tusk-async", "pgjdbc", "vertx", "pgbench"), 1, "queries/s",
                    Map.of(), 3),
            // an operation here is 10,000 or 100,000 rows, so one second of warm-up is a few dozen operations: the
            // clients were measured while C2 compiled them (insert: Tusk 1.1x pgjdbc after 1 s, 3.6x after 6 s)
            new Workload("fetch", FetchBench.class, "fetch100k", List.of("tusk", "tusk-text", "tusk-binary", "tusk-stream", "pgjdbc", "vertx", "server"),
                    BenchServer.WIDE_ROWS, "rows/s", Map.of(), 3),
            new Workload("fetch-receive", FetchBench.class, "receive100k", List.of("tusk", "tusk-text", "tusk-binary", "pgjdbc", "vertx"),
                    BenchServer.WIDE_ROWS, "rows/s", Map.of(), 3),
            new Workload("insert", InsertBench.class, "",
                    List.of("tusk", "tusk-copy", "pgjdbc", "pgjdbc-rewrite", "pgjdbc-copy", "vertx"), InsertBench.ROWS, "rows/s",
                    Map.of(), 3),
            new Workload("concurrent", ConcurrentBench.class, "", List.of("tusk", "tusk-async", "pgjdbc", "vertx"), ConcurrentBench.QUERIES, "queries/s"),
            new Workload("pipelining-256", ConcurrentBench.class, "", List.of("tusk-thread-per-conn", "tusk-async", "tusk"),
                    ConcurrentBench.QUERIES, "queries/s", Map.of("inFlight", "256")),
            // the cost of tracing: the same point selects with no listener, with a listener implementing nothing,
            // and with tusk-opentelemetry on an SDK that samples every span (exported nowhere) and records the
            // duration histogram
            new Workload("observed-point", ObservedPointSelectBench.class, "", List.of("tusk", "tusk-noop", "tusk-otel", "pgjdbc"), 1,
                    "queries/s", Map.of(), 3),
            new Workload("connect", ConnectBench.class, "", List.of("tusk", "pgjdbc", "vertx"), 1, "connects/s"),
            new Workload("pool", PoolBench.class, "uncontended", List.of("tusk", "hikari"), 1, "leases/s"),
            new Workload("pool-8thr", PoolBench.class, "contended", List.of("tusk", "hikari"), 1, "leases/s"),
            new Workload("getters", GetterBench.class, "", List.of("tusk", "tusk-binary"), GetterBench.ROWS, "rows/s"),
            // logical replication: Tusk decoding every change into typed values vs pgjdbc's raw buffers (runs only
            // when named: it needs a server with wal_level=logical)
            new Workload("replication", ReplicationBench.class, "read200k", List.of("tusk", "pgjdbc"), ReplicationBench.ROWS,
                    "changes/s", Map.of(), 3),
            // the same JDBC code on tusk-jdbc (jdbc:tusk:postgresql:) and on pgjdbc
            new Workload("jdbc-point", JdbcPointSelectBench.class, "", List.of("tusk-jdbc", "pgjdbc"), 1, "queries/s", Map.of(), 3),
            new Workload("jdbc-fetch", JdbcFetchBench.class, "", List.of("tusk-jdbc", "pgjdbc"), BenchServer.WIDE_ROWS, "rows/s",
                    Map.of(), 3),
            new Workload("jdbc-insert", JdbcInsertBench.class, "", List.of("tusk-jdbc", "pgjdbc-rewrite", "pgjdbc"), InsertBench.ROWS,
                    "rows/s", Map.of(), 3),
            new Workload("jdbc-pool", JdbcPoolBench.class, "uncontended", List.of("tusk-jdbc", "pgjdbc"), 1, "leases/s"),
            new Workload("jdbc-pool-8thr", JdbcPoolBench.class, "contended", List.of("tusk-jdbc", "pgjdbc"), 1, "leases/s"),
            // the same R2DBC SPI code on tusk-r2dbc (r2dbc:tusk:) and on r2dbc-postgresql
            new Workload("r2dbc-point", R2dbcBench.class, "pointSelect", R2DBC_CLIENTS, R2dbcBench.CHAIN, "queries/s", Map.of(), 3),
            new Workload("r2dbc-fetch", R2dbcBench.class, "fetch100k", R2DBC_CLIENTS, BenchServer.WIDE_ROWS, "rows/s", Map.of(), 3),
            new Workload("r2dbc-insert", R2dbcBench.class, "insert10k", R2DBC_CLIENTS, InsertBench.ROWS, "rows/s", Map.of(), 3),
            new Workload("r2dbc-inflight", R2dbcBench.class, "inFlight32", R2DBC_CLIENTS, ConcurrentBench.QUERIES, "queries/s",
                    Map.of(), 3));

    /** Workloads a run without a workload name leaves out. */
    private static final List<String> ONLY_WHEN_NAMED = List.of("getters", "replication");

    private BenchRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1) {
            args = args[0].trim().split("\\s+"); // from Maven: -Dbench.args="quick fetch"
        }
        List<String> words = List.of(args);
        GC = words.contains("gc");
        JFR = words.contains("jfr");
        PERF = words.contains("perf");
        args = words.stream().filter(a -> !List.of("gc", "jfr", "perf").contains(a)).toArray(String[]::new);
        boolean full = args.length > 0 && args[0].equals("full");
        String only = args.length > 1 ? args[1] : null;
        int rounds = full ? 3 : 1;
        Path out = Path.of("results");
        Files.createDirectories(out);
        // scores.get(workload).get(client) = one score per round, in units/s
        Map<String, Map<String, List<Double>>> scores = new LinkedHashMap<>();
        if (only != null && (only.equals("scale") || ScaleBench.NAMES.contains(only))) {
            try (BenchServer server = BenchServer.start(false, ScaleBench.maxConnections(only))) {
                System.out.println("embedded PostgreSQL on port " + server.port());
                ScaleBench.run(only, server.port(), full);
            }
            return;
        }
        try (BenchServer server = BenchServer.start("replication".equals(only))) {
            System.out.println("embedded PostgreSQL on port " + server.port() + "; " + rounds + " rounds");
            settle(only, server.port());
            for (int round = 0; round < rounds; round++) {
                for (Workload w : WORKLOADS) {
                    if (only != null ? !only.equals(w.name()) : ONLY_WHEN_NAMED.contains(w.name())) {
                        continue;
                    }
                    List<String> order = new ArrayList<>(w.clients());
                    Collections.rotate(order, round);
                    for (String client : order) {
                        if (client.equals("pgbench") && !PgBench.available()) {
                            continue; // reported once below
                        }
                        double score;
                        if (client.equals("pgbench")) {
                            try (Spinner spinner = new Spinner()) { // as PointSelectBench does for the JVM clients
                                score = PgBench.pointSelects(server.port(), full ? 10 : 3);
                            }
                        } else if (client.equals("server")) {
                            score = ServerSerializeLimit.fetchRows(server.port(), full ? 10 : 3);
                        } else {
                            score = run(w, client, server.port(), full);
                        }
                        scores.computeIfAbsent(w.name(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(client, k -> new ArrayList<>()).add(score);
                        System.out.printf(Locale.ROOT, "round %d %-15s %-21s %,14.0f %s%n", round + 1, w.name(), client, score, w.unit());
                    }
                }
            }
        }
        if (!PgBench.available()) {
            System.out.println("pgbench is not on the PATH: the server's own limit (workload g) was not measured");
        }
        List<String[]> table = report(scores);
        writeCsv(out.resolve("results.csv"), scores);
        Files.writeString(out.resolve("chart.svg"), Chart.svg(table));
        System.out.println("\nwrote " + out.toAbsolutePath().resolve("results.csv") + " and chart.svg");
    }

    /**
     * One unmeasured run of the first workload's first client. The first fork of a run shares the two vCPUs
     * with this JVM still compiling the runner and JMH (and a server that just loaded its tables): measured
     * first, Tusk's point selects came out at 0.86-1.00x pgjdbc, measured second at 0.97-1.12x. With one
     * round per run the first client is always the same one.
     */
    private static void settle(String only, int port) throws Exception {
        Workload first = WORKLOADS.stream().filter(w -> only == null || only.equals(w.name())).findFirst().orElseThrow();
        String client = first.clients().get(0);
        if (!client.equals("pgbench") && !client.equals("server")) {
            System.out.printf(Locale.ROOT, "settling: %s/%s once, not counted (%,.0f %s)%n", first.name(), client,
                    run(first, client, port, false), first.unit());
        }
    }

    /** The word {@code gc} among the arguments: JMH's GC profiler too, printing the bytes allocated per row or query. */
    private static boolean GC;
    /** The word {@code jfr}: each forked JVM records a JFR profile to {@code results/<workload>-<client>.jfr}. */
    private static boolean JFR;
    /**
     * The word {@code perf}: Linux {@code perf stat} counts each forked JVM's CPU time, context switches and
     * system calls, printed per row or query (the spinner is left out, so the throughput of such a run is not
     * comparable with the others). Needs the {@code perf} command and permission to read tracepoints.
     */
    private static boolean PERF;
    private static final String PERF_EVENTS = "task-clock,context-switches,raw_syscalls:sys_enter";

    private static double run(Workload w, String client, int port, boolean full) throws Exception {
        OptionsBuilder builder = new OptionsBuilder();
        if (GC) {
            builder.addProfiler(org.openjdk.jmh.profile.GCProfiler.class);
        }
        if (PERF) {
            builder.addProfiler(org.openjdk.jmh.profile.LinuxPerfNormProfiler.class, "events=" + PERF_EVENTS);
        }
        w.params().forEach(builder::param);
        Options opts = builder
                .include(w.bench().getName() + "." + w.method())
                .param("client", client)
                .forks(1)
                .warmupIterations(full ? 3 : 1)
                .warmupTime(TimeValue.seconds(full ? 2 : w.quickWarmupSeconds()))
                .measurementIterations(full ? 5 : 2)
                .measurementTime(TimeValue.seconds(full ? 2 : 1))
                .jvmArgsAppend(jvmArgs(w, client, port))
                .shouldFailOnError(false)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        if (results.isEmpty()) {
            System.out.printf("  %s/%s failed (see above): counted as 0%n", w.name(), client);
            return 0;
        }
        RunResult result = results.iterator().next();
        if (GC) {
            var norm = result.getSecondaryResults().get("gc.alloc.rate.norm");
            if (norm != null) {
                System.out.printf(Locale.ROOT, "  %s/%s allocates %.1f bytes per %s%n", w.name(), client,
                        norm.getScore() / w.unitsPerOp(), unitName(w));
            }
        }
        if (PERF) {
            printPerUnit(w, client, result);
        }
        return result.getPrimaryResult().getScore() * w.unitsPerOp();
    }

    private static void printPerUnit(Workload w, String client, RunResult result) {
        StringBuilder line = new StringBuilder();
        for (String event : PERF_EVENTS.split(",")) {
            var r = result.getSecondaryResults().get(event);
            if (r != null) {
                double perUnit = r.getScore() / w.unitsPerOp();
                line.append(event.equals("task-clock") // perf counts it in milliseconds
                        ? String.format(Locale.ROOT, "  %.2f µs CPU", perUnit * 1000)
                        : String.format(Locale.ROOT, "  %.3f %s", perUnit, event));
            }
        }
        System.out.printf(Locale.ROOT, "  %s/%s per %s:%s%n", w.name(), client, unitName(w), line);
    }

    private static String unitName(Workload w) {
        return w.unit().replace("/s", "").replaceAll("ies$", "y").replaceAll("s$", "");
    }

    private static String[] jvmArgs(Workload w, String client, int port) {
        List<String> a = new ArrayList<>(List.of("-Dtusk.bench.port=" + port, "-Xms1g", "-Xmx1g"));
        if (PERF) {
            a.add("-Dtusk.bench.spinner=off");
        }
        if (JFR) {
            a.add("-XX:StartFlightRecording=settings=profile,filename="
                    + Path.of("results", w.name() + "-" + client + ".jfr").toAbsolutePath());
        }
        return a.toArray(String[]::new);
    }

    /** Prints the table; returns its rows (workload, client, median, unit, ratio, spread). */
    private static List<String[]> report(Map<String, Map<String, List<Double>>> scores) {
        List<String[]> rows = new ArrayList<>();
        System.out.printf("%n%-15s %-21s %16s %-11s %10s %17s%n", "workload", "client", "median", "unit", "vs base", "ratio spread");
        for (var we : scores.entrySet()) {
            Workload w = WORKLOADS.stream().filter(x -> x.name().equals(we.getKey())).findFirst().orElseThrow();
            List<Double> base = baseline(we.getValue());
            for (var ce : we.getValue().entrySet()) {
                List<Double> s = ce.getValue();
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < s.size() && base != null && i < base.size(); i++) {
                    if (base.get(i) > 0) {
                        ratios.add(s.get(i) / base.get(i));
                    }
                }
                double ratio = median(ratios);
                String spread = ratios.isEmpty() ? "" : String.format(Locale.ROOT, "%.2f–%.2f", Collections.min(ratios), Collections.max(ratios));
                System.out.printf(Locale.ROOT, "%-15s %-21s %,16.0f %-11s %9.2fx %17s%n", we.getKey(), ce.getKey(), median(s), w.unit(), ratio, spread);
                rows.add(new String[] {we.getKey(), ce.getKey(), String.format(Locale.ROOT, "%.0f", median(s)), w.unit(),
                        String.format(Locale.ROOT, "%.3f", ratio), spread});
            }
        }
        for (var we : scores.entrySet()) { // "tusk", "pgjdbc" and "vertx" are each driver with its defaults
            Map<String, List<Double>> byClient = we.getValue();
            if (byClient.containsKey("tusk") && byClient.containsKey("pgjdbc") && byClient.containsKey("vertx")) {
                System.out.printf(Locale.ROOT, "%-15s defaults: tusk %.2fx pgjdbc, %.2fx vertx (medians of per-round ratios)%n",
                        we.getKey(), medianRatio(byClient.get("tusk"), byClient.get("pgjdbc")),
                        medianRatio(byClient.get("tusk"), byClient.get("vertx")));
            }
        }
        return rows;
    }

    private static double medianRatio(List<Double> a, List<Double> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (b.get(i) > 0) {
                ratios.add(a.get(i) / b.get(i));
            }
        }
        return median(ratios);
    }

    private static List<Double> baseline(Map<String, List<Double>> byClient) {
        if (byClient.containsKey("hikari")) {
            return byClient.get("hikari");
        }
        if (byClient.containsKey("r2dbc-postgresql")) {
            return byClient.get("r2dbc-postgresql");
        }
        if (byClient.containsKey("tusk-thread-per-conn")) {
            return byClient.get("tusk-thread-per-conn");
        }
        return byClient.containsKey("pgjdbc-rewrite") ? byClient.get("pgjdbc-rewrite") : byClient.get("pgjdbc");
    }

    private static void writeCsv(Path file, Map<String, Map<String, List<Double>>> scores) throws IOException {
        StringBuilder sb = new StringBuilder("workload,client,round,score\n");
        scores.forEach((w, byClient) -> byClient.forEach((c, s) -> {
            for (int i = 0; i < s.size(); i++) {
                sb.append(w).append(',').append(c).append(',').append(i + 1).append(',')
                        .append(String.format(Locale.ROOT, "%.1f", s.get(i))).append('\n');
            }
        }));
        Files.writeString(file, sb.toString());
    }

    static double median(List<Double> xs) {
        if (xs == null || xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
