package dev.tusk.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one {@link ConnectBench} operation (connect + SCRAM-SHA-256 + close) costs each client and the server, in
 * one JVM, the clients alternating round by round after a warm-up, so that a loaded machine changes the wall time
 * but not the counters: the CPU time of the JVM's application threads (the caller and any driver thread, vertx's
 * event loop included; not JIT nor GC) and the bytes they allocate, the whole process's CPU, and the server's CPU
 * (the postmaster's own, forking, plus its reaped children's, the backends: {@code /proc/<postmaster>/stat}
 * utime+stime+cutime+cstime, in scheduler ticks), each per connect; medians over the rounds and each client's
 * ratio to pgjdbc, and the ratio of the sums server + client (the floor of the wall-time ratio when the server's
 * and the client's CPU do not overlap, as they cannot in a connect's lock-step exchange).
 *
 * <p>{@code java -cp <bench classpath> dev.tusk.bench.ConnectProfile [rounds] [connects] [clients] [CORE_DIR...]}
 * (clients: a comma-separated subset of tusk,pgjdbc,vertx); each {@code CORE_DIR} (another build's
 * {@code tusk-core/target/classes}) adds that build's {@code Connection.connect} as client {@code tusk-1}... (an
 * A/B of a change in one JVM, {@link BuildFirstLoader}). With {@code -Dr2dbc.profile.perf=true} and one client,
 * {@link PerfCounts} prints the system calls per connect of each of the JVM's threads; with
 * {@code -Dtusk.bench.histogram=true} (and {@code -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC}) the classes
 * each client allocates per connect instead.
 */
public final class ConnectProfile {
    private ConnectProfile() {
    }

    /** Tusk's blocking connect and close (public: another build's copy is made through reflection). */
    public static final class Tusk implements Runnable {
        private final String conninfo;

        public Tusk(String conninfo) {
            this.conninfo = conninfo;
        }

        @Override
        public void run() {
            dev.tusk.Connection.connect(conninfo).close();
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int connects = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        List<String> wanted = List.of((args.length > 2 ? args[2] : "tusk,pgjdbc,vertx").split(","));
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            long postmaster = postmasterPid();
            List<String> names = new ArrayList<>();
            List<Runnable> clients = new ArrayList<>();
            Vertx vertx = Vertx.vertx();
            for (String w : wanted) {
                names.add(w);
                clients.add(switch (w) {
                    case "tusk" -> new Tusk(BenchServer.tuskConninfo());
                    case "pgjdbc" -> () -> {
                        try {
                            DriverManager.getConnection(BenchServer.jdbcUrl("")).close();
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    };
                    case "vertx" -> () -> {
                        PgConnection c = Vertx5.connect(vertx);
                        Vertx5.await(c.close());
                    };
                    default -> throw new IllegalArgumentException(w);
                });
            }
            URL bench = ConnectProfile.class.getProtectionDomain().getCodeSource().getLocation();
            for (int b = 3; b < args.length; b++) {
                URL[] urls = {Path.of(args[b]).toUri().toURL(), bench};
                ClassLoader loader = new BuildFirstLoader(urls, ConnectProfile.class.getClassLoader(),
                        name -> name.startsWith("dev.tusk.") && (!name.startsWith("dev.tusk.bench.")
                                || name.equals(Tusk.class.getName())));
                names.add("tusk-" + (b - 2));
                clients.add((Runnable) Class.forName(Tusk.class.getName(), true, loader).getConstructor(String.class)
                        .newInstance(BenchServer.tuskConninfo()));
            }
            for (int w = 0; w < 4; w++) { // warm-up: C2 compiles each client's connect path
                for (Runnable c : clients) {
                    measure(c, connects, postmaster);
                }
            }
            if (Boolean.getBoolean("tusk.bench.histogram")) { // with -XX:+UseEpsilonGC: the classes allocated per connect
                for (int c = 0; c < clients.size(); c++) {
                    String before = JdbcProfile.histogram();
                    measure(clients.get(c), connects, postmaster);
                    System.out.println(names.get(c) + ": " + JdbcProfile.histogramDiff(before, JdbcProfile.histogram(), connects));
                }
                return;
            }
            PerfCounts perf = PerfCounts.start(List.of());
            List<List<double[]>> samples = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                samples.add(new ArrayList<>());
            }
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < clients.size(); c++) {
                    int k = (c + r) % clients.size(); // each client in every position of the rounds
                    samples.get(k).add(measure(clients.get(k), connects, postmaster));
                }
            }
            if (perf != null) {
                System.out.print(perf.stop(rounds * connects, tidComm -> tidComm.substring(tidComm.indexOf(' ') + 1)));
            }
            Vertx5.await(vertx.close());
            report(names, samples);
        }
    }

    private static final String[] COLUMNS = {"wall", "app cpu", "proc cpu", "server cpu", "app bytes", "app user"};

    private static void report(List<String> names, List<List<double[]>> samples) {
        int base = names.indexOf("pgjdbc");
        double[][] med = new double[names.size()][];
        for (int c = 0; c < names.size(); c++) {
            med[c] = new double[COLUMNS.length];
            for (int k = 0; k < COLUMNS.length; k++) {
                med[c][k] = median(samples.get(c), k);
            }
        }
        System.out.printf(Locale.ROOT, "per connect (medians of %d rounds; times in us):%n", samples.get(0).size());
        System.out.printf(Locale.ROOT, "%-10s %9s %9s %9s %9s %10s %10s %16s %16s%n", "client", COLUMNS[0], COLUMNS[1],
                COLUMNS[5], COLUMNS[2], COLUMNS[3], COLUMNS[4], "server+app", "server+proc");
        for (int c = 0; c < names.size(); c++) {
            double[] m = med[c];
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s %9.1f %9.1f %9.1f %9.1f %10.1f %10.0f %9.1f",
                    names.get(c), m[0] / 1e3, m[1] / 1e3, m[5] / 1e3, m[2] / 1e3, m[3] / 1e3, m[4], (m[3] + m[1]) / 1e3));
            line.append(base >= 0 ? String.format(Locale.ROOT, " (%.2fx) %9.1f (%.2fx)", (m[3] + m[1]) / (med[base][3] + med[base][1]),
                    (m[3] + m[2]) / 1e3, (m[3] + m[2]) / (med[base][3] + med[base][2])) : "");
            System.out.println(line);
        }
        if (SERVER_PERF) {
            for (int c = 0; c < names.size(); c++) {
                System.out.printf(Locale.ROOT, "%-10s server (perf): %.1f system calls, %.1f context switches per connect%n",
                        names.get(c), median(samples.get(c), 6), median(samples.get(c), 7));
            }
        }
        for (int c = 0; c < names.size(); c++) {
            double pm = samples.get(c).stream().mapToDouble(x -> x[8]).average().orElse(0); // ticks: the mean
            System.out.printf(Locale.ROOT, "%-10s postmaster alone (accept + fork): %.1f us per connect (mean)%n", names.get(c), pm / 1e3);
        }
        if (base >= 0) {
            for (int c = 0; c < names.size(); c++) {
                StringBuilder ratios = new StringBuilder(String.format(Locale.ROOT, "%-10s vs pgjdbc:", names.get(c)));
                for (int k = 0; k < COLUMNS.length; k++) {
                    ratios.append(String.format(Locale.ROOT, " %s %.2fx", COLUMNS[k], med[c][k] / med[base][k]));
                }
                System.out.println(ratios);
            }
        }
    }

    private static double median(List<double[]> rounds, int k) {
        return rounds.stream().mapToDouble(x -> x[k]).sorted().toArray()[rounds.size() / 2];
    }

    /**
     * {wall, application threads' cpu, process cpu, server cpu (ns), application threads' bytes, application
     * threads' user cpu, server system calls, server context switches, postmaster's own cpu} per connect over
     * {@code connects} connects.
     */
    private static double[] measure(Runnable client, int connects, long postmaster) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(300); // the backends of the round before exit and are reaped
        Process perf = SERVER_PERF ? startServerPerf(postmaster) : null;
        long s0 = serverTicks(postmaster);
        long f0 = postmasterTicks(postmaster);
        long[] ids = mx.getAllThreadIds();
        long[] c0 = mx.getThreadCpuTime(ids);
        long[] a0 = mx.getThreadAllocatedBytes(ids);
        long[] u0 = userTimes(mx, ids);
        long p0 = os.getProcessCpuTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < connects; i++) {
            client.run();
        }
        long w1 = System.nanoTime();
        long p1 = os.getProcessCpuTime();
        long[] c1 = mx.getThreadCpuTime(ids);
        long[] a1 = mx.getThreadAllocatedBytes(ids);
        long[] u1 = userTimes(mx, ids);
        Thread.sleep(300);
        long s1 = serverTicks(postmaster);
        long f1 = postmasterTicks(postmaster);
        double n = connects;
        double[] server = perf != null ? stopServerPerf(perf) : new double[] {(s1 - s0) * 1e9 / TICKS, Double.NaN, Double.NaN};
        return new double[] {(w1 - w0) / n, delta(c0, c1) / n, (p1 - p0) / n, server[0] / n, delta(a0, a1) / n,
            delta(u0, u1) / n, server[1] / n, server[2] / n, (f1 - f0) * 1e9 / TICKS / n};
    }

    /** User time comes in scheduler ticks: meaningful over a round of many connects only. */
    private static long[] userTimes(java.lang.management.ThreadMXBean mx, long[] ids) {
        long[] u = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            u[i] = mx.getThreadUserTime(ids[i]);
        }
        return u;
    }

    /**
     * {@code -Dtusk.bench.serverPerf=true}: the server's CPU from {@code perf stat} attached to the postmaster (its
     * counters inherited by the backends it forks) instead of scheduler ticks, with its system calls and context
     * switches.
     */
    private static final boolean SERVER_PERF = Boolean.getBoolean("tusk.bench.serverPerf");

    private static Process startServerPerf(long postmaster) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("perf", "stat", "-x,", "-e", "task-clock,raw_syscalls:sys_enter,context-switches",
                "-p", Long.toString(postmaster)).redirectErrorStream(true).start();
        Thread.sleep(400); // perf attaches before the round starts
        return p;
    }

    /** {cpu ns, system calls, context switches} of the postmaster and its backends since {@link #startServerPerf}. */
    private static double[] stopServerPerf(Process perf) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
        String out = new String(perf.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        perf.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        double[] r = new double[3];
        for (String line : out.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 3 || f[0].isEmpty() || !Character.isDigit(f[0].charAt(0))) {
                continue;
            }
            double v = Double.parseDouble(f[0]);
            switch (f[2]) {
                case "task-clock" -> r[0] = v * 1e6; // milliseconds
                case "raw_syscalls:sys_enter" -> r[1] = v;
                case "context-switches" -> r[2] = v;
                default -> { }
            }
        }
        return r;
    }

    /** Scheduler ticks a second (USER_HZ; 100 on Linux). */
    private static final double TICKS = 100;

    private static long delta(long[] before, long[] after) {
        long sum = 0;
        for (int i = 0; i < before.length; i++) {
            if (before[i] >= 0 && after[i] >= 0) { // -1: the thread ended
                sum += after[i] - before[i];
            }
        }
        return sum;
    }

    /** utime + stime + cutime + cstime of the postmaster: its own CPU and that of the backends it reaped. */
    private static long serverTicks(long postmaster) throws IOException {
        return Arrays.stream(stat(postmaster), 11, 15).mapToLong(Long::parseLong).sum(); // fields 14-17
    }

    /** utime + stime of the postmaster alone: accepting and forking. */
    private static long postmasterTicks(long postmaster) throws IOException {
        return Arrays.stream(stat(postmaster), 11, 13).mapToLong(Long::parseLong).sum(); // fields 14-15
    }

    /** The fields of /proc/pid/stat from field 3 (state) on. */
    private static String[] stat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** The parent of a backend: the postmaster (the server runs on this machine). */
    private static long postmasterPid() throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(""));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            String stat = Files.readString(Path.of("/proc/" + rs.getInt(1) + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        }
    }
}
