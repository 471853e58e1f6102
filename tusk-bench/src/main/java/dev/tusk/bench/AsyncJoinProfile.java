package dev.tusk.bench;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;

import dev.tusk.internal.io.EventLoopDriver;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * Costs per query of {@link PointSelectBench}'s point select joined one by one on an {@code AsyncConnection} beside
 * the same on a blocking {@code Connection}, in one JVM, the clients alternating round by round after a warm-up
 * (issue 24's "async joined ≥ 0.9× blocking"): wall time, the calling thread's CPU, the event loops' CPU (threads
 * named {@code tusk-event-loop-*}), the whole process's CPU, and the bytes the caller and the loops allocate, per
 * query; medians over the rounds, and each client's ratio to the blocking one.
 *
 * <p>{@code java -cp <bench classpath> dev.tusk.bench.AsyncJoinProfile [rounds] [queries] [CORE_DIR...]}: each
 * {@code CORE_DIR} (a copy of another build's {@code tusk-core/target/classes}) adds that build's AsyncConnection as
 * one more client, loaded child-first in a class loader of its own (an A/B of a change in one JVM). With the system
 * property {@code tusk.bench.only} ({@code blocking}, {@code async}, {@code async-1}...) one client alone runs, for
 * {@code perf stat --per-thread}, which {@code -Dr2dbc.profile.perf=true} attaches to the measured rounds ({@link PerfCounts});
 * {@code -Dtusk.bench.histogram=true} (with {@code -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC}) prints the
 * classes each client allocates per query instead (without {@code CORE_DIR}s: the histogram counts classes by name,
 * and two builds' classes share theirs); {@code -Dtusk.bench.spin=true} runs {@link PointSelectBench}'s
 * {@link Spinner} meanwhile, as the JMH workload does.
 */
public final class AsyncJoinProfile {
    private AsyncJoinProfile() {
    }

    /** The blocking point select. */
    public static final class Blocking implements IntFunction<String>, AutoCloseable {
        private final Connection<Row> c;

        public Blocking(String conninfo) {
            c = Connection.connect(conninfo);
            c.setAutocommit(true);
        }

        @Override
        public String apply(int id) {
            return c.execute("SELECT v FROM bench_kv WHERE id = %s", id).fetchone().getString(0);
        }

        @Override
        public void close() {
            c.close();
        }
    }

    /** The async point select, each future joined; as a LongSupplier, the replies its joining caller read itself. */
    public static final class Joined implements IntFunction<String>, AutoCloseable, LongSupplier {
        private final AsyncConnection<Row> c;
        private final EventLoopDriver driver;

        public Joined(String conninfo) throws ReflectiveOperationException {
            c = AsyncConnection.connect(ConnectOptions.builder().conninfo(conninfo).autocommit(true).build()).join();
            Method m = AsyncConnection.class.getDeclaredMethod("driver");
            m.setAccessible(true);
            driver = (EventLoopDriver) m.invoke(c);
        }

        @Override
        public long getAsLong() {
            return driver.repliesReadByCallers();
        }

        @Override
        public String apply(int id) {
            return c.execute("SELECT v FROM bench_kv WHERE id = %s", id).join().fetchone().getString(0);
        }

        @Override
        public void close() {
            c.close();
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        String only = System.getProperty("tusk.bench.only");
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            String conninfo = BenchServer.tuskConninfo();
            List<String> names = new ArrayList<>();
            List<IntFunction<String>> clients = new ArrayList<>();
            names.add("blocking");
            clients.add(new Blocking(conninfo));
            names.add("async");
            clients.add(new Joined(conninfo));
            URL bench = AsyncJoinProfile.class.getProtectionDomain().getCodeSource().getLocation();
            for (int b = 2; b < args.length; b++) {
                URL[] urls = {Path.of(args[b]).toUri().toURL(), bench};
                // Tusk's classes, this profile's clients included, from the other build first
                ClassLoader loader = new BuildFirstLoader(urls, AsyncJoinProfile.class.getClassLoader(),
                        name -> name.startsWith("dev.tusk.") && (!name.startsWith("dev.tusk.bench.")
                                || name.startsWith(AsyncJoinProfile.class.getName() + "$")));
                Class<?> joined = Class.forName(Joined.class.getName(), true, loader);
                names.add("async-" + (b - 1));
                clients.add((IntFunction<String>) joined.getConstructor(String.class).newInstance(conninfo));
            }
            if (only != null) {
                int k = names.indexOf(only);
                names = List.of(names.get(k));
                clients = List.of(clients.get(k));
            }
            Spinner spinner = Boolean.getBoolean("tusk.bench.spin") ? new Spinner() : null; // as the JMH workload runs
            for (int w = 0; w < 5; w++) {
                for (IntFunction<String> c : clients) {
                    run(c, queries);
                }
            }
            if (Boolean.getBoolean("tusk.bench.histogram")) { // with -XX:+UseEpsilonGC: the classes allocated per query
                for (int c = 0; c < clients.size(); c++) {
                    String before = JdbcProfile.histogram();
                    run(clients.get(c), queries);
                    System.out.println(names.get(c) + ": " + JdbcProfile.histogramDiff(before, JdbcProfile.histogram(), queries));
                }
                return;
            }
            List<List<double[]>> samples = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                samples.add(new ArrayList<>());
            }
            PerfCounts perf = PerfCounts.start(List.of()); // -Dr2dbc.profile.perf=true: with one client (tusk.bench.only)
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < clients.size(); c++) {
                    samples.get(c).add(run(clients.get(c), queries));
                }
            }
            if (perf != null) {
                System.out.print(perf.stop(rounds * queries, tidComm -> tidComm.substring(tidComm.indexOf(' ') + 1)));
            }
            for (IntFunction<String> c : clients) {
                ((AutoCloseable) c).close();
            }
            if (spinner != null) {
                spinner.close();
            }
            double[] base = null;
            System.out.printf(Locale.ROOT, "%-9s %9s %9s %9s %9s %9s %9s %9s %9s   %s%n", "client", "wall ns/q", "caller cpu",
                    "loop cpu", "proc cpu", "caller B", "loop B", "user", "by caller", "ratio to first (wall; per round: min-max)");
            for (int c = 0; c < clients.size(); c++) {
                double[] m = BlockingProfile.medians(samples.get(c));
                if (base == null) {
                    base = m;
                }
                // per-round wall ratios to the first client's round (throughput: first / this)
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = samples.get(0).get(r)[0] / samples.get(c).get(r)[0];
                }
                java.util.Arrays.sort(ratios);
                System.out.printf(Locale.ROOT, "%-9s %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.3f   throughput %.3f (median of rounds %.3f, %.3f-%.3f)"
                                + "  proc cpu %.3f%n", names.get(c), m[0], m[1], m[2], m[3], m[4], m[5], mean(samples.get(c), 6), mean(samples.get(c), 7), base[0] / m[0],
                        ratios[rounds / 2], ratios[0], ratios[rounds - 1], m[3] / base[3]);
            }
        }
    }

    /** {wall, caller cpu, loop cpu, process cpu, caller bytes, loop bytes, caller user cpu, share of replies the caller read} per query over {@code queries} selects. */
    private static double[] run(IntFunction<String> c, int queries) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long me = Thread.currentThread().getId();
        long[] loops = loopThreads();
        long la0 = 0;
        long lc0 = 0;
        for (long id : loops) {
            la0 += mx.getThreadAllocatedBytes(id);
            lc0 += mx.getThreadCpuTime(id);
        }
        long p0 = os.getProcessCpuTime();
        long a0 = mx.getThreadAllocatedBytes(me);
        long c0 = mx.getCurrentThreadCpuTime();
        long u0 = mx.getCurrentThreadUserTime();
        long r0 = c instanceof LongSupplier s ? s.getAsLong() : 0;
        long w0 = System.nanoTime();
        int next = 0;
        for (int i = 0; i < queries; i++) {
            next = next % BenchServer.KV_ROWS + 1;
            String v = c.apply(next);
            if (v.length() < 7) {
                throw new IllegalStateException(v);
            }
        }
        long w1 = System.nanoTime();
        long r1 = c instanceof LongSupplier s ? s.getAsLong() : 0;
        long c1 = mx.getCurrentThreadCpuTime();
        long u1 = mx.getCurrentThreadUserTime();
        long a1 = mx.getThreadAllocatedBytes(me);
        long p1 = os.getProcessCpuTime();
        long la1 = 0;
        long lc1 = 0;
        for (long id : loops) {
            la1 += mx.getThreadAllocatedBytes(id);
            lc1 += mx.getThreadCpuTime(id);
        }
        double q = queries;
        return new double[] {(w1 - w0) / q, (c1 - c0) / q, (lc1 - lc0) / q, (p1 - p0) / q, (a1 - a0) / q, (la1 - la0) / q, (u1 - u0) / q, (r1 - r0) / q};
    }

    /** User time comes in scheduler ticks: its mean over the rounds. */
    private static double mean(List<double[]> s, int k) {
        return s.stream().mapToDouble(x -> x[k]).average().orElse(0);
    }

    private static long[] loopThreads() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("tusk-event-loop")) {
                ids.add(t.getId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
