package dev.tusk.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Client costs per row of {@link FetchBench}'s read (100,000 rows × 6 columns, every value read), each driver with
 * its defaults, measured without JMH so that a loaded machine changes the wall-clock numbers but hardly these: the
 * CPU time and the bytes allocated per row by every thread of the JVM (the caller's and a driver's own, such as
 * vertx's event loop; GC and JIT threads are not counted), and the caller's alone. The clients alternate, several
 * rounds each, after a warm-up; the medians are printed.
 * Run from the bench module's classpath: {@code java -cp ... dev.tusk.bench.FetchProfile [rounds] [fetches] [clients]}
 * ({@code clients}: comma-separated {@link FetchBench#client} names, each with {@code :receive} to receive the rows
 * without reading a value; {@code tusk,pgjdbc,vertx} by default).
 */
public final class FetchProfile {
    private FetchProfile() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int fetches = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String[] names = (args.length > 2 ? args[2] : "tusk,pgjdbc,vertx").split(",");
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            FetchBench[] clients = new FetchBench[names.length];
            for (int c = 0; c < names.length; c++) {
                clients[c] = new FetchBench();
                clients[c].client = names[c].replace(":receive", "");
                clients[c].open();
            }
            for (int w = 0; w < 10; w++) { // warm-up: C2 compiles every path before anything is counted
                for (FetchBench b : clients) {
                    run(b.fetcher(), fetches, false);
                }
            }
            List<List<double[]>> samples = new ArrayList<>();
            for (int c = 0; c < clients.length; c++) {
                samples.add(new ArrayList<>());
            }
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < clients.length; c++) {
                    samples.get(c).add(run(clients[c].fetcher(), fetches, names[c].endsWith(":receive")));
                }
            }
            for (FetchBench b : clients) {
                b.close();
            }
            double[] first = null;
            for (int c = 0; c < clients.length; c++) {
                double[] m = BlockingProfile.medians(samples.get(c));
                first = first == null ? m : first;
                System.out.printf(Locale.ROOT, "%-12s cpu %6.0f ns/row (caller %6.0f)  alloc %6.1f B/row (caller %6.1f)"
                                + "  wall %6.0f ns/row  (cpu spread %.0f-%.0f)  cpu vs %s %.3f%n", names[c], m[0], m[1],
                        m[2], m[3], m[4], BlockingProfile.min(samples.get(c), 0), BlockingProfile.max(samples.get(c), 0), names[0], m[0] / first[0]);
            }
        }
    }

    private static final long EXPECTED = Checks.wideChecksum();

    /** {cpu ns, caller cpu ns, allocated bytes, caller's allocated bytes, wall ns} per row over {@code fetches} reads. */
    private static double[] run(FetchBench.Fetcher f, int fetches, boolean receiveOnly) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        long[] ids = mx.getAllThreadIds();
        long[] c0 = mx.getThreadCpuTime(ids);
        long[] a0 = mx.getThreadAllocatedBytes(ids);
        long sc0 = mx.getCurrentThreadCpuTime();
        long sa0 = mx.getThreadAllocatedBytes(self);
        long w0 = System.nanoTime();
        long rows = 0;
        for (int i = 0; i < fetches; i++) {
            if (receiveOnly) {
                Checks.expect("receive", BenchServer.WIDE_ROWS, f.receiveAll());
            } else {
                Checks.expect("fetch", EXPECTED, f.fetchAll());
            }
            rows += BenchServer.WIDE_ROWS;
        }
        long w1 = System.nanoTime();
        long sa1 = mx.getThreadAllocatedBytes(self);
        long sc1 = mx.getCurrentThreadCpuTime();
        long[] c1 = mx.getThreadCpuTime(ids);
        long[] a1 = mx.getThreadAllocatedBytes(ids);
        long cpu = 0;
        long alloc = 0;
        for (int k = 0; k < ids.length; k++) {
            if (c0[k] >= 0 && c1[k] >= 0) {
                cpu += c1[k] - c0[k];
            }
            if (a0[k] >= 0 && a1[k] >= 0) {
                alloc += a1[k] - a0[k];
            }
        }
        return new double[] {cpu / (double) rows, (sc1 - sc0) / (double) rows, alloc / (double) rows,
                (sa1 - sa0) / (double) rows, (w1 - w0) / (double) rows};
    }
}
