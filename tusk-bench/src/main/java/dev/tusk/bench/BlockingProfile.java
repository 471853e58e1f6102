package dev.tusk.bench;


import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Costs per query of the blocking point select ({@link PointSelectBench}'s statement, one connection, one thread) on
 * Tusk's {@code Connection} and on pgjdbc, measured without JMH so that a loaded machine changes the wall-clock
 * numbers but hardly these: the calling thread's CPU time (user + kernel; and user alone, which Linux counts in 10 ms
 * ticks: its mean over the rounds) and the bytes it allocates, per query. The two drivers alternate, several rounds each, after a warm-up; the medians and their ratio are printed.
 * Run from the bench module's classpath: {@code java -cp ... dev.tusk.bench.BlockingProfile [rounds] [queries] [client]}
 * ({@code client}: {@code tusk} or {@code pgjdbc} alone, for {@code strace -c} or a profiler; both by default).
 * {@code histogram [queries] [client]} (run with {@code -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC}, so that
 * every object allocated stays in the heap) prints the classes allocated per query, instances and bytes.
 */
public final class BlockingProfile {
    private BlockingProfile() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("histogram")) {
            histogram(args.length > 1 ? Integer.parseInt(args[1]) : 20_000, args.length > 2 ? args[2] : "tusk");
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            String only = args.length > 2 ? args[2] : null;
            String[] names = only != null ? new String[] {only} : new String[] {"tusk", "pgjdbc"};
            PointSelectBench.KvClient[] clients = new PointSelectBench.KvClient[names.length];
            for (int c = 0; c < names.length; c++) {
                clients[c] = names[c].equals("tusk") ? PointSelectBench.tusk() : PointSelectBench.pgjdbc();
            }
            for (int w = 0; w < 5; w++) { // warm-up: C2 compiles both paths before anything is counted
                for (PointSelectBench.KvClient p : clients) {
                    run(p, queries);
                }
            }
            List<double[]>[] samples = new List[] {new ArrayList<>(), new ArrayList<>()};
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < clients.length; c++) {
                    samples[c].add(run(clients[c], queries));
                }
            }
            for (PointSelectBench.KvClient p : clients) {
                p.close();
            }
            double[][] med = new double[clients.length][];
            for (int c = 0; c < clients.length; c++) {
                med[c] = medians(samples[c]);
                // user time comes in scheduler ticks (10 ms): its mean over every round, not a median
                double user = samples[c].stream().mapToDouble(x -> x[1]).average().orElse(0);
                med[c][1] = user;
                System.out.printf(Locale.ROOT, "%-7s cpu %7.0f ns/q  user %7.0f ns/q (mean)  alloc %6.0f B/q  wall %7.0f"
                                + " ns/q   (cpu spread %.0f-%.0f)%n", names[c], med[c][0], user, med[c][2], med[c][3],
                        min(samples[c], 0), max(samples[c], 0));
            }
            if (med.length < 2) {
                return;
            }
            System.out.printf(Locale.ROOT, "tusk/pgjdbc: cpu %.3f  user %.3f  alloc %.3f  wall %.3f%n",
                    med[0][0] / med[1][0], med[0][1] / med[1][1], med[0][2] / med[1][2], med[0][3] / med[1][3]);
        }
    }

    private static void histogram(int queries, String client) throws Exception {
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            PointSelectBench.KvClient p = client.equals("tusk") ? PointSelectBench.tusk() : PointSelectBench.pgjdbc();
            for (int w = 0; w < 3; w++) {
                run(p, queries);
            }
            String before = JdbcProfile.histogram();
            run(p, queries);
            String after = JdbcProfile.histogram();
            System.out.println(JdbcProfile.histogramDiff(before, after, queries));
            p.close();
        }
    }

    /** {cpu ns, user ns, allocated bytes, wall ns} per query over {@code queries} point selects. */
    private static double[] run(PointSelectBench.KvClient p, int queries) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int next = 0;
        long a0 = mx.getThreadAllocatedBytes(id);
        long c0 = mx.getCurrentThreadCpuTime();
        long u0 = mx.getCurrentThreadUserTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < queries; i++) {
            next = next % BenchServer.KV_ROWS + 1;
            String v = p.get(next);
            if (v.length() < 7) {
                throw new IllegalStateException(v);
            }
        }
        long w1 = System.nanoTime();
        long u1 = mx.getCurrentThreadUserTime();
        long c1 = mx.getCurrentThreadCpuTime();
        long a1 = mx.getThreadAllocatedBytes(id);
        return new double[] {(c1 - c0) / (double) queries, (u1 - u0) / (double) queries,
                (a1 - a0) / (double) queries, (w1 - w0) / (double) queries};
    }

    static double[] medians(List<double[]> s) {
        double[] out = new double[s.get(0).length];
        for (int k = 0; k < out.length; k++) {
            double[] col = new double[s.size()];
            for (int i = 0; i < col.length; i++) {
                col[i] = s.get(i)[k];
            }
            Arrays.sort(col);
            out[k] = col[col.length / 2];
        }
        return out;
    }

    static double min(List<double[]> s, int k) {
        return s.stream().mapToDouble(a -> a[k]).min().orElse(0);
    }

    static double max(List<double[]> s, int k) {
        return s.stream().mapToDouble(a -> a[k]).max().orElse(0);
    }
}
