package dev.tusk.bench;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Costs of the {@code jdbc-point} and {@code jdbc-fetch} workloads ({@link JdbcPointSelectBench}'s and
 * {@link JdbcFetchBench}'s code, each driver with its defaults) on tusk-jdbc and pgjdbc, measured without JMH so that
 * a loaded machine changes the wall-clock numbers but not these: the CPU time of the threads of the JVM's application
 * (ThreadMXBean: the calling thread and any driver thread; not JIT nor GC) and the bytes they allocate, per query or
 * per row. The drivers alternate, several rounds each, after a warm-up; the medians of the rounds and their ratios
 * (pgjdbc's cost / tusk-jdbc's: above 1 is tusk-jdbc cheaper) close the run. Run from the bench module's classpath:
 * {@code java -cp ... dev.tusk.bench.JdbcProfile [point|fetch|both] [rounds] [queries] [fetches] [clients]};
 * {@code loop} as the first argument runs only the first client's workloads for a minute (for a profiler). With the
 * system property {@code tusk.bench.perfControl} (a FIFO), the measured rounds are told to a {@code perf record}. The client
 * {@code tusk-jdbc-general} is tusk-jdbc with every getter on its general path (JdbcResultSet.readBytes(false)).
 */
public final class JdbcProfile {
    private JdbcProfile() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "both";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int fetches = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        String[] clients = args.length > 4 ? args[4].split(",") : new String[] {"tusk-jdbc", "pgjdbc"};
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            List<Client> cs = new ArrayList<>();
            for (String name : clients) {
                cs.add(new Client(name));
            }
            if (which.equals("histogram")) { // run with -XX:+UseEpsilonGC: every object allocated stays in the heap
                Client c = cs.get(0);
                for (int i = 0; i < 3; i++) {
                    c.point(queries);
                }
                String before = histogram();
                c.point(queries);
                String after = histogram();
                System.out.println(histogramDiff(before, after, queries));
                return;
            }
            if (which.startsWith("loop")) {
                Client c = cs.get(0);
                long end = System.nanoTime() + 60_000_000_000L;
                long points = 0;
                long fetched = 0;
                // counted from 15 s after the JVM started on (for perf record -D 15000: the steady state only)
                long countFrom = Long.getLong("tusk.bench.countAfterMillis", 15_000);
                var runtime = ManagementFactory.getRuntimeMXBean();
                while (System.nanoTime() < end) {
                    boolean counted = runtime.getUptime() >= countFrom;
                    if (!which.equals("loop-fetch")) {
                        long n = c.point(queries);
                        points += counted ? n : 0;
                    }
                    if (!which.equals("loop-point")) {
                        long n = c.fetch(1);
                        fetched += counted ? n : 0;
                    }
                }
                System.out.println(c.name + " loop, counted from " + countFrom + " ms of uptime on: " + points
                        + " point queries, " + fetched + " rows fetched");
                return;
            }
            for (Client c : cs) { // the wire format of each column as each driver's defaults make it, once prepared
                if (c.name.startsWith("tusk-jdbc")) {
                    for (int i = 0; i < 6; i++) {
                        c.fetch(1);
                    }
                    try (ResultSet rs = c.fetch.executeQuery()) {
                        var tusk = rs.unwrap(dev.tusk.jdbc.internal.JdbcResultSet.class);
                        StringBuilder sb = new StringBuilder(c.name + " fetch columns in binary:");
                        for (int i = 1; i <= 6; i++) {
                            sb.append(' ').append(rs.getMetaData().getColumnName(i)).append('=').append(tusk.binary(i));
                        }
                        System.out.println(sb);
                    }
                }
            }
            for (Client c : cs) { // warm-up: C2 compiles both paths before anything is counted
                for (int i = 0; i < 5; i++) {
                    c.point(queries);
                    c.fetch(2);
                }
            }
            Map<String, List<double[]>> results = new LinkedHashMap<>();
            perfControl("enable");
            for (int r = 0; r < rounds; r++) {
                for (Client c : cs) {
                    if (!which.equals("fetch")) {
                        results.computeIfAbsent(c.name + " point", k -> new ArrayList<>())
                                .add(measure(c.name + " point", queries, "query", c.backend, () -> c.point(queries)));
                    }
                    if (!which.equals("point")) {
                        long rows = (long) fetches * BenchServer.WIDE_ROWS;
                        results.computeIfAbsent(c.name + " fetch", k -> new ArrayList<>())
                                .add(measure(c.name + " fetch", rows, "row", c.backend, () -> c.fetch(fetches)));
                    }
                }
            }
            perfControl("disable");
            System.out.println("medians of " + rounds + " rounds (cpu ns, user cpu ns, allocated B per query / row):");
            Map<String, double[]> med = new LinkedHashMap<>();
            for (var e : results.entrySet()) {
                double[] m = new double[5];
                for (int k = 0; k < m.length; k++) {
                    final int kk = k;
                    double[] v = e.getValue().stream().mapToDouble(x -> x[kk]).sorted().toArray();
                    m[k] = v[v.length / 2];
                }
                med.put(e.getKey(), m);
                System.out.printf("  %-18s cpu %9.1f ns (user %9.1f)  alloc %8.1f B  wall %9.1f ns  server cpu %9.1f ns%n", e.getKey(), m[0], m[3],
                        m[1], m[2], m[4]);
            }
            for (String w : List.of("point", "fetch")) {
                for (String other : List.of("pgjdbc", "tusk-jdbc-general")) {
                    double[] t = med.get("tusk-jdbc " + w);
                    double[] p = med.get(other + " " + w);
                    if (t != null && p != null) {
                        System.out.printf("  %s: %s/tusk-jdbc cpu %.2fx (user %.2fx)  alloc %.2fx  wall %.2fx  server cpu %.2fx%n", w, other,
                                p[0] / t[0], p[3] / t[3], p[1] / t[1], p[2] / t[2], p[4] / t[4]);
                    }
                }
            }
            for (Client c : cs) {
                c.conn.close();
            }
        }
    }

    /**
     * Writes {@code command} to the control FIFO of a {@code perf record -D -1 --control fifo:PATH} named by the
     * system property {@code tusk.bench.perfControl}, if any: perf samples the measured rounds only (each sample's
     * stack tells the driver and the workload: the Client's point or fetch frame).
     */
    private static void perfControl(String command) throws java.io.IOException {
        String fifo = System.getProperty("tusk.bench.perfControl");
        if (fifo != null) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(fifo), command + "\n");
        }
    }

    interface Work {
        long run() throws Exception;
    }

    private static double[] measure(String label, long n, String unit, int backend, Work work) throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long[] cpu0 = mx.getThreadCpuTime(ids);
        long[] user0 = mx.getThreadUserTime(ids);
        long[] alloc0 = mx.getThreadAllocatedBytes(ids);
        long[] io0 = io();
        long server0 = serverCpu(backend);
        long t0 = System.nanoTime();
        long got = work.run();
        long wall = System.nanoTime() - t0;
        long[] io1 = io();
        long server1 = serverCpu(backend);
        long[] ids1 = mx.getAllThreadIds();
        long[] cpu1 = mx.getThreadCpuTime(ids1);
        long[] user1 = mx.getThreadUserTime(ids1);
        long[] alloc1 = mx.getThreadAllocatedBytes(ids1);
        if (got != n) {
            throw new IllegalStateException(label + ": " + got + " of " + n);
        }
        long cpu = 0;
        long user = 0;
        long alloc = 0;
        for (int i = 0; i < ids1.length; i++) {
            int before = indexOf(ids, ids1[i]);
            cpu += Math.max(0, cpu1[i]) - (before < 0 ? 0 : Math.max(0, cpu0[before]));
            user += Math.max(0, user1[i]) - (before < 0 ? 0 : Math.max(0, user0[before]));
            alloc += Math.max(0, alloc1[i]) - (before < 0 ? 0 : Math.max(0, alloc0[before]));
        }
        double[] v = {cpu / (double) n, alloc / (double) n, wall / (double) n, user / (double) n, (server1 - server0) / (double) n};
        System.out.printf("%-18s cpu %9.1f ns/%s (user %9.1f)  alloc %8.1f B/%s  wall %9.1f ns/%s  server cpu %9.1f ns  calling thread:"
                        + " reads %.3f writes %.3f ctxsw %.3f per %s%n", label, v[0], unit, v[3], v[1], unit, v[2], unit, v[4],
                (io1[0] - io0[0]) / (double) n, (io1[1] - io0[1]) / (double) n, (io1[2] - io0[2]) / (double) n, unit);
        return v;
    }

    /**
     * The calling thread's read and write system calls (read, recvfrom... and write, sendto...) and its context
     * switches, from /proc/thread-self; zeros where unreadable.
     */
    private static long[] io() {
        long[] out = new long[3];
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/io"))) {
                if (line.startsWith("syscr:")) {
                    out[0] = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    out[1] = Long.parseLong(line.substring(6).trim());
                }
            }
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/status"))) {
                if (line.endsWith("ctxt_switches:") || line.contains("ctxt_switches:")) {
                    out[2] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            // no counts
        }
        return out;
    }

    /** The class histogram of every object in the heap, unreachable ones too. */
    static String histogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[] {"-all"}}, new String[] {String[].class.getName()});
    }

    /** Bytes and instances per query of each class that {@code after} has more of than {@code before}. */
    static String histogramDiff(String before, String after, int queries) {
        Map<String, long[]> b = parse(before);
        StringBuilder sb = new StringBuilder();
        long total = 0;
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        for (var e : parse(after).entrySet()) {
            long[] was = b.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - was[0], e.getValue()[1] - was[1]};
            if (d[1] > 0) {
                grown.add(Map.entry(e.getKey(), d));
                total += d[1];
            }
        }
        grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        sb.append(String.format("allocated per query: %.1f B%n", total / (double) queries));
        for (var e : grown) {
            if (e.getValue()[1] >= queries / 10) {
                sb.append(String.format("  %8.1f B  %6.2f objects  %s%n", e.getValue()[1] / (double) queries,
                        e.getValue()[0] / (double) queries, e.getKey()));
            }
        }
        return sb.toString();
    }

    private static Map<String, long[]> parse(String histogram) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return out;
    }

    /** The CPU time of process {@code pid} so far (ns, /proc/PID/schedstat); 0 where unreadable. */
    private static long serverCpu(int pid) {
        try {
            return Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/schedstat")).trim().split(" ")[0]);
        } catch (java.io.IOException | RuntimeException unreadable) {
            return 0;
        }
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    static final class Client {
        final String name;
        final Connection conn;
        final PreparedStatement point;
        final PreparedStatement fetch;
        int next;

        /** "tusk-jdbc-general": tusk-jdbc with every getter on its general path (no value read from its bytes). */
        final boolean general;
        /** The server process of the connection: its CPU time is counted too. */
        final int backend;

        Client(String name) throws Exception {
            this.name = name;
            this.general = name.equals("tusk-jdbc-general");
            conn = JdbcClients.connect(general ? "tusk-jdbc" : name, "");
            try (java.sql.Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                backend = rs.getInt(1);
            }
            point = conn.prepareStatement("SELECT v FROM bench_kv WHERE id = ?");
            fetch = conn.prepareStatement("SELECT a, b, c, d, e, f FROM bench_wide");
        }

        /** {@link JdbcPointSelectBench#pointSelect}, n times: the rows read. */
        long point(int n) throws Exception {
            dev.tusk.jdbc.internal.JdbcResultSet.readBytes(!general);
            long rows = 0;
            for (int k = 0; k < n; k++) {
                int id = next = next % BenchServer.KV_ROWS + 1;
                point.setInt(1, id);
                try (ResultSet rs = point.executeQuery()) {
                    rs.next();
                    if (rs.getString(1) != null) {
                        rows++;
                    }
                }
            }
            return rows;
        }

        /** {@link JdbcFetchBench#fetch100k}, n times: the rows read. */
        long fetch(int n) throws Exception {
            dev.tusk.jdbc.internal.JdbcResultSet.readBytes(!general);
            long total = 0;
            for (int k = 0; k < n; k++) {
                try (ResultSet rs = fetch.executeQuery()) {
                    total += JdbcFetchBench.read(rs);
                }
            }
            return total;
        }
    }
}
