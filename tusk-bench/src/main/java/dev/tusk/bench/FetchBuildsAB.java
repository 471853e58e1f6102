package dev.tusk.bench;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * Two or more builds of tusk-core in one JVM (each its own {@code tusk-core/target/classes} copy, loaded child-first),
 * reading {@link FetchBench}'s 100,000 rows × 6 columns with Tusk's defaults in turns: an A/B of a change to the
 * receiving or decoding of rows that a loaded machine blurs less than separate runs. Per build, medians over the
 * rounds of: the caller's CPU time and bytes allocated per row (ThreadMXBean: the blocking driver reads on the caller),
 * the server backends' CPU per row ({@code /proc/PID/schedstat} of the bench database's backends: Linux only, 0
 * elsewhere) and the wall time per row.
 *
 * <p>{@code java -cp <bench classpath> dev.tusk.bench.FetchBuildsAB MODE ROUNDS FETCHES CORE_A CORE_B [CORE_C ...]}; MODE
 * {@code fetch} (FetchBench's loop: every value read), {@code receive} (the rows received, no value read) or
 * {@code decode} (the rows received once, then read ten times: the getters' cost alone). With the system property
 * {@code tusk.bench.timeZone} (an IANA name), each connection first sets the session's {@code TimeZone} to it: the
 * timestamptz values are then shown in a zone with rules rather than in the server's UTC.
 */
public final class FetchBuildsAB {
    private FetchBuildsAB() {
    }

    public static void main(String[] args) throws Exception {
        long mode = switch (args[0]) {
            case "fetch" -> BuildFetch.FETCH;
            case "receive" -> BuildFetch.RECEIVE;
            case "decode" -> BuildFetch.DECODE;
            default -> throw new IllegalArgumentException("mode fetch, receive or decode: " + args[0]);
        };
        int rounds = Integer.parseInt(args[1]);
        int fetches = Integer.parseInt(args[2]);
        String[] builds = Arrays.copyOfRange(args, 3, args.length);
        URL bench = FetchBuildsAB.class.getProtectionDomain().getCodeSource().getLocation();
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            LongUnaryOperator[] clients = new LongUnaryOperator[builds.length];
            for (int b = 0; b < builds.length; b++) {
                ClassLoader l = new BuildFirstLoader(new URL[] {Path.of(builds[b]).toUri().toURL(), bench},
                        FetchBuildsAB.class.getClassLoader(), name -> BuildFirstLoader.tuskNotBench(name)
                        || name.startsWith(BuildFetch.class.getName())); // BuildFetch links to the build's classes
                clients[b] = (LongUnaryOperator) l.loadClass(BuildFetch.class.getName()).getConstructor(String.class)
                        .newInstance(BenchServer.tuskConninfo());
            }
            long expected = mode == BuildFetch.RECEIVE ? BenchServer.WIDE_ROWS : Checks.wideChecksum()
                    * (mode == BuildFetch.DECODE ? BuildFetch.DECODE_READS : 1);
            for (int w = 0; w < 12; w++) { // warm-up (the first executions are in text, before the statement is prepared)
                for (LongUnaryOperator c : clients) {
                    for (int f = 0; f < fetches; f++) {
                        Checks.expect("fetch", expected, c.applyAsLong(mode));
                    }
                }
            }
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().getId();
            long rows = (long) fetches * BenchServer.WIDE_ROWS * (mode == BuildFetch.DECODE ? BuildFetch.DECODE_READS : 1);
            double[][][] s = new double[builds.length][4][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < builds.length; k++) {
                    int b = (r + k) % builds.length; // each build first, middle and last in turn
                    long srv0 = serverCpuNanos();
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long al0 = mx.getThreadAllocatedBytes(self);
                    long w0 = System.nanoTime();
                    for (int f = 0; f < fetches; f++) {
                        clients[b].applyAsLong(mode);
                    }
                    long w1 = System.nanoTime();
                    s[b][0][r] = (mx.getCurrentThreadCpuTime() - cpu0) / (double) rows;
                    s[b][1][r] = (mx.getThreadAllocatedBytes(self) - al0) / (double) rows;
                    s[b][2][r] = (serverCpuNanos() - srv0) / (double) rows;
                    s[b][3][r] = (w1 - w0) / (double) rows;
                }
            }
            for (int b = 0; b < builds.length; b++) {
                ((AutoCloseable) clients[b]).close();
                double[] m = new double[4];
                for (int k = 0; k < 4; k++) {
                    Arrays.sort(s[b][k]);
                    m[k] = s[b][k][rounds / 2];
                }
                System.out.printf("%-40s caller cpu %6.1f ns/row (%.1f-%.1f)  alloc %6.1f B/row  server cpu %6.1f ns/row"
                                + "  wall %6.0f ns/row%n", builds[b], m[0], s[b][0][rounds / 4], s[b][0][rounds * 3 / 4], m[1],
                        m[2], m[3]);
            }
        }
    }

    /** The CPU time the bench database's backends have used, from their {@code /proc/PID/schedstat}; 0 where there is none. */
    private static long serverCpuNanos() {
        long sum = 0;
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars()
                .allMatch(Character::isDigit))) {
            for (Path p : procs) {
                try {
                    if (Files.readString(p.resolve("cmdline")).startsWith("postgres: " + BenchServer.USER + " " + BenchServer.DB)) {
                        sum += Long.parseLong(Files.readString(p.resolve("schedstat")).trim().split(" ")[0]);
                    }
                } catch (java.io.IOException | RuntimeException gone) { // a process that ended meanwhile
                }
            }
        } catch (java.io.IOException noProc) {
            return 0;
        }
        return sum;
    }

    /** Tusk's default fetch ({@link FetchBench}'s "tusk" loop), loaded once per build (child-first, with the build's classes). */
    public static final class BuildFetch implements LongUnaryOperator, AutoCloseable {
        static final long FETCH = 0;
        static final long RECEIVE = 1;
        static final long DECODE = 2;
        static final int DECODE_READS = 10;
        private final dev.tusk.Connection<dev.tusk.Row> conn;

        public BuildFetch(String conninfo) {
            conn = dev.tusk.Connection.connect(dev.tusk.ConnectOptions.builder().conninfo(conninfo).autocommit(true).build());
            String zone = System.getProperty("tusk.bench.timeZone");
            if (zone != null) { // the session's TimeZone the timestamptz values are shown in (the server's default: UTC)
                conn.execute("SET TimeZone TO '" + zone.replace("'", "''") + "'");
            }
        }

        @Override
        public long applyAsLong(long mode) {
            var cur = conn.execute(FetchBench.QUERY, new Object[0]);
            if (mode == RECEIVE) {
                return cur.rowcount();
            }
            long sum = 0;
            for (int k = 0; k < (mode == DECODE ? DECODE_READS : 1); k++) {
                cur.scroll(0, "absolute");
                sum += readAll(cur);
            }
            return sum;
        }

        private static long readAll(dev.tusk.Cursor<dev.tusk.Row> cur) {
            long sum = 0;
            for (dev.tusk.Row r : cur) {
                Object d = r.get(3);
                sum += r.getInt(0) + r.getString(1).length() + r.getInt(2)
                        + r.getBigDecimal(4).longValue() + (r.getBoolean(5) ? 1 : 0) + (d == null ? 1 : 0);
            }
            return sum;
        }

        @Override
        public void close() {
            conn.close();
        }
    }
}
