package dev.tusk.bench;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * How cost grows with work (issue 24, item 4): four workloads that are not JMH benchmarks, each run in JVMs
 * of its own that the runner forks (so that a heap or thread count sees only one client), each driver with
 * its defaults. They run only when named ({@code -Dbench.args="quick scale-inflight"}, or {@code scale} for
 * all four):
 * <ul>
 * <li>{@code scale-inflight}: pipelined point selects per second against the statements kept in flight
 * (1, 8, 32, 256, 1,024) over 1, 4 and 16 connections: Tusk's {@code AsyncConnection} beside vertx-pg-client
 * with its default pipelining limit (256 per connection, {@code vertx}) and with the limit raised to 1,024
 * ({@code vertx-1024}), so that it too can keep every statement in flight. One JVM holds the three clients'
 * connections; the clients take turns on each point (the order rotates), so the machine's drift hits all.</li>
 * <li>{@code scale-heap}: heap bytes per idle open connection: 200 connections opened (one more opened first
 * loads the classes and starts the event loops, and is not counted), full GCs, heap used after minus before,
 * divided by 200; then each runs one point select and the heap is measured again (buffers a first statement
 * grows stay with an idle pooled connection). The classes that grew most per connection are printed.</li>
 * <li>{@code scale-idle}: 1,000 idle {@code AsyncConnection}s on one event loop
 * ({@code -Dtusk.eventLoopThreads=1}), and 1,000 vertx connections on a default {@code Vertx}: the JVM's
 * threads and heap used, and the time one {@code SELECT 1} on every connection at once takes. The server runs
 * with {@code max_connections=1100} for the scale workloads.</li>
 * <li>{@code scale-stream}: a 10-million-row table ({@code bench_big}: int, text, int) read in JVMs with
 * {@code -Xmx64m}: Tusk's {@code cursor().stream()}, Tusk's {@code AsyncConnection.stream()} publisher, pgjdbc
 * with {@code setFetchSize(1000)} in a transaction, vertx's {@code createStream(1000)} in a transaction;
 * every value read, the checksum compared.</li>
 * </ul>
 */
public final class ScaleBench {
    static final int[] IN_FLIGHT = {1, 8, 32, 256, 1024};
    static final int[] CONNECTIONS = {1, 4, 16};
    static final List<String> INFLIGHT_CLIENTS = List.of("tusk-async", "vertx", "vertx-1024");
    static final List<String> HEAP_CLIENTS = List.of("tusk", "tusk-async", "pgjdbc", "vertx");
    static final int HEAP_CONNECTIONS = 200;
    static final int IDLE_CONNECTIONS = 1000;
    static final int BIG_ROWS = 10_000_000;
    static final String BIG_QUERY = "SELECT a, b, c FROM bench_big";
    static final String POINT = "SELECT v FROM bench_kv WHERE id = ";

    private ScaleBench() {
    }

    /** The workloads this class runs, as the runner names them. */
    static final List<String> NAMES = List.of("scale-inflight", "scale-heap", "scale-idle", "scale-stream");

    /** What the server needs: max_connections for the 1,000 idle connections (and the 200 of scale-heap). */
    static int maxConnections(String only) {
        return IDLE_CONNECTIONS + 100;
    }

    // ------------------------------------------------------------------ the parent (in the runner's JVM)

    /** Runs the named scale workload(s) against the runner's server, forking a JVM per measurement. */
    static void run(String only, int port, boolean full) throws Exception {
        System.out.printf(Locale.ROOT, "scale workloads on %d vCPUs, %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), java.time.Instant.now());
        String points = System.getenv("TUSK_SCALE_POINTS"); // e.g. "4x256,1x256": only those, only Tusk, CPU per query
        if (points != null && only.equals("scale-inflight")) {
            List<String> jvm = new ArrayList<>(List.of("-Xms1g", "-Xmx1g"));
            String extra = System.getenv("TUSK_SCALE_JVM");
            if (extra != null && !extra.isBlank()) {
                jvm.addAll(List.of(extra.trim().split("\\s+")));
            }
            fork(port, jvm, "points", points);
        } else if (only.equals("scale") || only.equals("scale-inflight")) {
            fork(port, List.of("-Xms1g", "-Xmx1g"), "inflight", full ? "full" : "quick");
        }
        if (only.equals("scale") || only.equals("scale-heap")) {
            for (String client : HEAP_CLIENTS) {
                fork(port, List.of("-Xmx512m"), "heap", client);
            }
        }
        if (only.equals("scale") || only.equals("scale-idle")) {
            fork(port, List.of("-Xmx512m", "-Dtusk.eventLoopThreads=1"), "idle", "tusk-async");
            fork(port, List.of("-Xmx512m"), "idle", "vertx");
        }
        if (only.equals("scale") || only.equals("scale-stream")) {
            createBigTable(port);
            int rounds = full ? 2 : 1;
            for (int round = 0; round < rounds; round++) {
                List<String> order = new ArrayList<>(List.of("tusk-stream", "tusk-async-stream", "pgjdbc", "vertx"));
                Collections.rotate(order, round);
                for (String client : order) {
                    fork(port, List.of("-Xmx64m"), "stream", client);
                }
            }
        }
    }

    private static void fork(int port, List<String> jvmArgs, String part, String arg) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.javaBin());
        cmd.addAll(jvmArgs);
        cmd.add("-Dtusk.bench.port=" + port);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ScaleBench.class.getName());
        cmd.add(part);
        cmd.add(arg);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("SLF4J")) {
                    System.out.println(line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            System.out.printf("  %s/%s: the JVM exited with %d%n", part, arg, rc);
        }
    }

    private static final class Path {
        static String javaBin() {
            return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
    }

    private static void createBigTable(int port) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + BenchServer.DB,
                BenchServer.USER, BenchServer.PASSWORD); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('bench_big') IS NOT NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            long t0 = System.nanoTime();
            s.execute("CREATE UNLOGGED TABLE bench_big (a int, b text, c int)");
            s.execute("INSERT INTO bench_big SELECT g, 'text value number ' || g, g % 1000 FROM generate_series(1, "
                    + BIG_ROWS + ") g");
            s.execute("VACUUM ANALYZE bench_big");
            System.out.printf(Locale.ROOT, "created bench_big (%,d rows) in %.1f s%n", BIG_ROWS, (System.nanoTime() - t0) / 1e9);
        }
    }

    // ------------------------------------------------------------------ the forked JVMs

    public static void main(String[] args) {
        try {
            switch (args[0]) {
                case "inflight" -> inflight(args[1].equals("full"));
                case "points" -> points(args[1]);
                case "heap" -> heap(args[1]);
                case "idle" -> idle(args[1]);
                case "stream" -> stream(args[1]);
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0); // vertx and the event loops keep non-daemon threads
    }

    // ---- throughput against statements in flight

    /** One client's connections, sending point selects without waiting. */
    interface Pipe extends AutoCloseable {
        /** Sends {@code SELECT v FROM bench_kv WHERE id = id} on connection {@code conn}; {@code done} runs on completion. */
        void send(int conn, int id, Runnable done, Runnable failed);

        @Override
        void close();
    }

    /**
     * Only Tusk, at the given points ("4x256,1x256": connections x in flight): queries/s, the process's CPU and
     * context switches (all threads) per query, 1 s warm-up + 3 s measured, each point three times in turn; with
     * several connections, how the window spreads over them.
     */
    private static void points(String spec) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String client = System.getProperty("tusk.bench.scaleClient", "tusk-async"); // or vertx-1024, to compare
        for (int round = 0; round < 3; round++) {
            for (String point : spec.split(",")) {
                String[] cf = point.split("x");
                int conns = Integer.parseInt(cf[0]);
                int inFlight = Integer.parseInt(cf[1]);
                try (Pipe p = pipe(client, conns)) {
                    window(p, conns, inFlight, 1);
                    long cpu0 = os.getProcessCpuTime();
                    long[] cs0 = contextSwitches();
                    Process perf = perf();
                    long t0 = System.nanoTime();
                    StringBuilder spread = conns > 1 ? new StringBuilder() : null;
                    double rate = window(p, conns, inFlight, 3, spread);
                    double q = rate * (System.nanoTime() - t0) / 1e9;
                    long[] cs1 = contextSwitches();
                    if (perf != null) {
                        StringBuilder per = new StringBuilder();
                        for (String line : new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                            String[] f = line.split(",");
                            if (f.length > 2 && !f[0].isBlank() && Character.isDigit(f[0].charAt(0))) {
                                per.append(String.format(Locale.ROOT, " %s %.2f", f[2].replace("syscalls:sys_enter_", ""),
                                        Long.parseLong(f[0]) / q));
                            }
                        }
                        perf.waitFor();
                        System.out.println("      per query (perf, ~3 s):" + per);
                    }
                    if (spread != null) {
                        System.out.println("      in flight per connection (sorted, 5 samples/s):" + spread);
                    }
                    System.out.printf(Locale.ROOT, "  %-10s %2d conn %5d in flight %,9.0f q/s  cpu %,6.0f ns/q"
                            + "  vol cs %.3f/q  invol cs %.3f/q  (%s)%n", client, conns, inFlight, rate,
                            (os.getProcessCpuTime() - cpu0) / q, (cs1[0] - cs0[0]) / q, (cs1[1] - cs0[1]) / q,
                            System.getProperty("tusk.eventLoopThreads", "default loops"));
                }
            }
        }
    }

    /** perf stat on this JVM for 3 s (per-syscall counts), or null when TUSK_SCALE_PERF is not set. */
    private static Process perf() throws java.io.IOException {
        if (System.getenv("TUSK_SCALE_PERF") == null) {
            return null;
        }
        return new ProcessBuilder("perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter,syscalls:sys_enter_write,"
                + "syscalls:sys_enter_read,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,context-switches",
                "-p", Long.toString(ProcessHandle.current().pid()), "--", "sleep", "2.9").redirectErrorStream(true).start();
    }

    /** Voluntary and involuntary context switches of all this process's threads so far (Linux). */
    private static long[] contextSwitches() throws java.io.IOException {
        long[] r = new long[2];
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            r[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            r[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
        return r;
    }

    private static void inflight(boolean full) throws Exception {
        double warm = full ? 2 : 1;
        double measure = full ? 3 : 2;
        System.out.printf(Locale.ROOT, "inflight: point selects/s, %.0f s warm-up + %.0f s measured per point%n", warm, measure);
        Map<String, Double> result = new LinkedHashMap<>();
        int point = 0;
        for (int conns : CONNECTIONS) {
            Map<String, Pipe> pipes = new LinkedHashMap<>();
            for (String client : INFLIGHT_CLIENTS) {
                pipes.put(client, pipe(client, conns));
            }
            for (int inFlight : IN_FLIGHT) {
                List<String> order = new ArrayList<>(INFLIGHT_CLIENTS);
                Collections.rotate(order, point++);
                for (String client : order) {
                    Pipe p = pipes.get(client);
                    window(p, conns, inFlight, warm);
                    double rate = window(p, conns, inFlight, measure);
                    result.put(client + "/" + conns + "/" + inFlight, rate);
                    System.out.printf(Locale.ROOT, "  %-10s %2d conn %5d in flight %,10.0f queries/s%n", client, conns, inFlight, rate);
                }
            }
            pipes.values().forEach(Pipe::close);
        }
        System.out.println("\ninflight summary (queries/s; tusk-async / vertx-1024 in brackets)");
        System.out.printf(Locale.ROOT, "%-6s %-11s", "conns", "client");
        for (int f : IN_FLIGHT) {
            System.out.printf(Locale.ROOT, " %16d", f);
        }
        System.out.println();
        for (int conns : CONNECTIONS) {
            for (String client : INFLIGHT_CLIENTS) {
                System.out.printf(Locale.ROOT, "%-6d %-11s", conns, client);
                for (int f : IN_FLIGHT) {
                    double r = result.get(client + "/" + conns + "/" + f);
                    String cell = String.format(Locale.ROOT, "%,.0f", r);
                    if (client.equals("tusk-async")) {
                        cell += String.format(Locale.ROOT, " (%.2fx)", r / result.get("vertx-1024/" + conns + "/" + f));
                    }
                    System.out.printf(Locale.ROOT, " %16s", cell);
                }
                System.out.println();
            }
        }
    }

    /**
     * {@code TUSK_SCALE_ROUTE=least}: each statement goes to the connection with the fewest in flight (ties in turn), as a
     * pool hands out its least busy connection, instead of round robin. Round robin from one submitting thread lets the
     * window gather on one connection ({@code TUSK_SCALE_POINTS} prints the spread), whichever the client.
     */
    static final boolean ROUTE_LEAST = "least".equals(System.getenv("TUSK_SCALE_ROUTE"));

    /** The connection with the fewest statements in flight, starting the search at the one round robin would take. */
    private static int leastInFlight(AtomicIntegerArray perConnection, int i) {
        int n = perConnection.length();
        int best = i % n;
        for (int k = 1; k < n; k++) {
            int c = (i + k) % n;
            if (perConnection.get(c) < perConnection.get(best)) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Samples how the statements in flight spread over the connections, 5 times a second until {@code end}, into
     * {@code out} (each sample sorted, e.g. "[0,0,1,255]": the window sits on one connection).
     */
    private static Thread sampleSpread(AtomicIntegerArray perConnection, long end, StringBuilder out) {
        Thread t = new Thread(() -> {
            while (System.nanoTime() < end - 200_000_000L) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                int[] v = new int[perConnection.length()];
                for (int c = 0; c < v.length; c++) {
                    v[c] = perConnection.get(c);
                }
                java.util.Arrays.sort(v);
                out.append(' ').append(java.util.Arrays.toString(v).replace(" ", ""));
            }
        }, "scale-spread-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Keeps {@code inFlight} point selects in flight (round robin over the connections, or see {@link #ROUTE_LEAST}) for
     * the given seconds.
     */
    private static double window(Pipe p, int conns, int inFlight, double seconds) throws InterruptedException {
        return window(p, conns, inFlight, seconds, null);
    }

    /** As above; {@code spread}, when not null, receives samples of how the window spreads over the connections. */
    private static double window(Pipe p, int conns, int inFlight, double seconds, StringBuilder spread)
            throws InterruptedException {
        Semaphore free = new Semaphore(inFlight);
        AtomicLong done = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>();
        Runnable ok = () -> {
            done.incrementAndGet();
            free.release();
        };
        Runnable failed = () -> {
            error.compareAndSet(null, "a statement failed");
            free.release();
        };
        AtomicIntegerArray perConnection = new AtomicIntegerArray(conns);
        Runnable[] oks = new Runnable[conns];
        Runnable[] fails = new Runnable[conns];
        for (int c = 0; c < conns; c++) {
            int conn = c;
            oks[c] = () -> {
                perConnection.decrementAndGet(conn);
                ok.run();
            };
            fails[c] = () -> {
                perConnection.decrementAndGet(conn);
                failed.run();
            };
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        Thread sampler = spread == null ? null : sampleSpread(perConnection, end, spread);
        int i = 0;
        while (System.nanoTime() < end && error.get() == null) {
            if (!free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            int c = ROUTE_LEAST ? leastInFlight(perConnection, i) : i % conns;
            perConnection.incrementAndGet(c);
            p.send(c, i % BenchServer.KV_ROWS + 1, oks[c], fails[c]);
            i++;
        }
        if (sampler != null) {
            sampler.join();
        }
        long counted = done.get();
        long elapsed = System.nanoTime() - start;
        if (!free.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("statements still in flight after 60 s");
        }
        if (error.get() != null) {
            throw new IllegalStateException(error.get());
        }
        return counted / (elapsed / 1e9);
    }

    private static Pipe pipe(String client, int conns) {
        return switch (client) {
            case "tusk-async" -> tuskPipe(conns);
            case "vertx" -> vertxPipe(conns, PgConnectOptions.DEFAULT_PIPELINING_LIMIT);
            case "vertx-1024" -> vertxPipe(conns, 1024);
            default -> throw new IllegalArgumentException(client);
        };
    }

    private static Pipe tuskPipe(int conns) {
        List<AsyncConnection<Row>> cs = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            cs.add(AsyncConnection.connect(BenchServer.tuskConninfo()).join());
            cs.get(i).setAutocommit(true).join();
        }
        return new Pipe() {
            @Override
            public void send(int conn, int id, Runnable done, Runnable failed) {
                cs.get(conn).execute("SELECT v FROM bench_kv WHERE id = %s", id).whenComplete((cur, err) -> {
                    if (err == null && cur.fetchone().getString(0).length() > 6) {
                        done.run();
                    } else {
                        failed.run();
                    }
                });
            }

            @Override
            public void close() {
                cs.forEach(AsyncConnection::close);
            }
        };
    }

    private static Pipe vertxPipe(int conns, int pipeliningLimit) {
        Vertx vertx = Vertx.vertx();
        List<PgConnection> cs = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            cs.add(Vertx5.await(PgConnection.connect(vertx, Vertx5.options().setPipeliningLimit(pipeliningLimit))));
        }
        return new Pipe() {
            @Override
            public void send(int conn, int id, Runnable done, Runnable failed) {
                cs.get(conn).preparedQuery("SELECT v FROM bench_kv WHERE id = $1").execute(Tuple.of(id)).onComplete(ar -> {
                    if (ar.succeeded() && ar.result().iterator().next().getString(0).length() > 6) {
                        done.run();
                    } else {
                        failed.run();
                    }
                });
            }

            @Override
            public void close() {
                cs.forEach(c -> Vertx5.await(c.close()));
                Vertx5.await(vertx.close());
            }
        };
    }

    // ---- heap per idle connection

    /** One client's way to open a connection and to run one point select on it. */
    interface Opener {
        Object open() throws Exception;

        void use(Object connection) throws Exception;
    }

    private static Opener opener(String client) {
        return switch (client) {
            case "tusk" -> new Opener() {
                public Object open() {
                    return Connection.connect(BenchServer.tuskConninfo());
                }

                @SuppressWarnings("unchecked")
                public void use(Object c) {
                    ((Connection<Row>) c).execute(POINT + "%s", 1).fetchone();
                    ((Connection<Row>) c).rollback();
                }
            };
            case "tusk-async" -> new Opener() {
                public Object open() {
                    return AsyncConnection.connect(BenchServer.tuskConninfo()).join();
                }

                @SuppressWarnings("unchecked")
                public void use(Object c) {
                    ((AsyncConnection<Row>) c).execute(POINT + "%s", 1).join().fetchone();
                    ((AsyncConnection<Row>) c).rollback().join();
                }
            };
            case "pgjdbc" -> new Opener() {
                public Object open() throws Exception {
                    return DriverManager.getConnection(BenchServer.jdbcUrl(""));
                }

                public void use(Object c) throws Exception {
                    try (PreparedStatement ps = ((java.sql.Connection) c).prepareStatement(POINT + "?")) {
                        ps.setInt(1, 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }
                }
            };
            case "vertx" -> new Opener() {
                final Vertx vertx = Vertx.vertx();

                public Object open() {
                    return Vertx5.await(PgConnection.connect(vertx, Vertx5.options().setPipeliningLimit(
                            PgConnectOptions.DEFAULT_PIPELINING_LIMIT)));
                }

                public void use(Object c) {
                    Vertx5.await(((PgConnection) c).preparedQuery(POINT + "$1").execute(Tuple.of(1)));
                }
            };
            default -> throw new IllegalArgumentException(client);
        };
    }

    private static void heap(String client) throws Exception {
        Opener opener = opener(client);
        Object first = opener.open(); // classes loaded, event loops started: not counted
        opener.use(first);
        List<Object> keep = new ArrayList<>();
        long before = usedAfterGc();
        long direct0 = directBytes();
        Map<String, long[]> h0 = histogram();
        for (int i = 0; i < HEAP_CONNECTIONS; i++) {
            keep.add(opener.open());
        }
        long opened = usedAfterGc();
        Map<String, long[]> h1 = histogram();
        for (Object c : keep) {
            opener.use(c);
        }
        long used = usedAfterGc();
        long direct2 = directBytes();
        Map<String, long[]> h2 = histogram();
        System.out.printf(Locale.ROOT, "heap %-10s %,8d bytes per idle connection just opened, %,8d after one point select"
                        + " (%d connections, heap used %,d -> %,d -> %,d)%n", client, (opened - before) / HEAP_CONNECTIONS,
                (used - before) / HEAP_CONNECTIONS, HEAP_CONNECTIONS, before, opened, used);
        System.out.printf(Locale.ROOT, "  direct (off-heap) buffers: %,d -> %,d bytes (%,d per connection)%n", direct0, direct2,
                (direct2 - direct0) / HEAP_CONNECTIONS);
        printTop("opened", h0, h1);
        printTop("used", h0, h2);
        if (keep.size() != HEAP_CONNECTIONS || first == null) {
            throw new AssertionError();
        }
    }

    private static void printTop(String what, Map<String, long[]> a, Map<String, long[]> b) {
        List<Map.Entry<String, long[]>> deltas = new ArrayList<>();
        for (var e : b.entrySet()) {
            long[] was = a.getOrDefault(e.getKey(), new long[2]);
            deltas.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - was[0], e.getValue()[1] - was[1]}));
        }
        deltas.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        StringBuilder sb = new StringBuilder("  " + what + ", per connection:");
        for (int i = 0; i < Math.min(8, deltas.size()); i++) {
            var d = deltas.get(i);
            sb.append(String.format(Locale.ROOT, " %s %,d B (%.1f)", d.getKey(), d.getValue()[1] / HEAP_CONNECTIONS,
                    d.getValue()[0] / (double) HEAP_CONNECTIONS)).append(i < 7 ? ";" : "");
        }
        System.out.println(sb);
    }

    /**
     * Native memory held by direct buffers: the JDK's direct buffer pool plus what netty allocates without it
     * (vertx's pooled buffers live off the heap, so a heap figure alone would flatter it).
     */
    static long directBytes() {
        long jdk = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed).sum();
        long netty = io.netty.util.internal.PlatformDependent.usedDirectMemory();
        return jdk + Math.max(0, netty);
    }

    static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** class name -> {instances, bytes}, from the JVM's own GC.class_histogram (which runs a full GC). */
    static Map<String, long[]> histogram() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String text = (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return m;
    }

    // ---- 1,000 idle connections

    private static void idle(String client) throws Exception {
        var threads = ManagementFactory.getThreadMXBean();
        Vertx vertx = client.equals("vertx") ? Vertx.vertx() : null;
        Supplier<CompletableFuture<?>> connect = client.equals("vertx")
                ? () -> PgConnection.connect(vertx, Vertx5.options().setPipeliningLimit(PgConnectOptions.DEFAULT_PIPELINING_LIMIT))
                        .toCompletionStage().toCompletableFuture()
                : () -> AsyncConnection.connect(BenchServer.tuskConninfo());
        Object first = connect.get().join();
        long heapBefore = usedAfterGc();
        long directBefore = directBytes();
        int threadsBefore = threads.getThreadCount();
        long t0 = System.nanoTime();
        List<Object> conns = Collections.synchronizedList(new ArrayList<>());
        Semaphore connecting = new Semaphore(16); // the server forks a backend per connection: 16 at a time
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < IDLE_CONNECTIONS; i++) {
            connecting.acquire();
            all.add(connect.get().whenComplete((c, err) -> {
                connecting.release();
                if (c != null) {
                    conns.add(c);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(1000);
        long heapAfter = usedAfterGc();
        int threadsAfter = threads.getThreadCount();
        // every connection answers a statement, all at once
        long t1 = System.nanoTime();
        List<CompletableFuture<?>> selects = new ArrayList<>();
        for (Object c : conns) {
            if (c instanceof PgConnection pc) {
                selects.add(pc.query("SELECT 1").execute().toCompletionStage().toCompletableFuture());
            } else {
                @SuppressWarnings("unchecked")
                AsyncConnection<Row> ac = (AsyncConnection<Row>) c;
                selects.add(ac.execute("SELECT 1"));
            }
        }
        CompletableFuture.allOf(selects.toArray(CompletableFuture[]::new)).join();
        double selectMs = (System.nanoTime() - t1) / 1e6;
        int threadsBusy = threads.getThreadCount();
        long directAfter = directBytes();
        Thread.sleep(61_000); // a cached thread pool lets its idle threads go after 60 s
        int threadsIdle = threads.getThreadCount();
        System.out.printf(Locale.ROOT, "idle %-10s %d connections opened in %.1f s; JVM threads %d -> %d (%d after a SELECT 1 on each,"
                        + " %d after 61 s idle); heap used %,d -> %,d (%,d bytes per connection); direct buffers %,d -> %,d;"
                        + " SELECT 1 on all at once: %.0f ms%n",
                client, conns.size(), openSeconds, threadsBefore, threadsAfter, threadsBusy, threadsIdle, heapBefore, heapAfter,
                (heapAfter - heapBefore) / conns.size(), directBefore, directAfter, selectMs);
        StringBuilder names = new StringBuilder("  threads:");
        Map<String, Integer> byPrefix = new LinkedHashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            byPrefix.merge(t.getName().replaceAll("[-#]?\\d+$", ""), 1, Integer::sum);
        }
        byPrefix.forEach((k, v) -> names.append(' ').append(k).append(" x").append(v).append(';'));
        System.out.println(names);
        if (first == null) {
            throw new AssertionError();
        }
    }

    // ---- 10 million rows streamed at -Xmx64m

    private static long expectedBig() {
        long sum = 0;
        for (int g = 1; g <= BIG_ROWS; g++) {
            sum += g + ("text value number " + g).length() + g % 1000;
        }
        return sum;
    }

    private static void stream(String client) throws Exception {
        long t0 = System.nanoTime();
        long[] acc = new long[2]; // rows, checksum
        switch (client) {
            case "tusk-stream" -> {
                try (Connection<Row> c = Connection.connect(BenchServer.tuskConninfo());
                     var rows = c.cursor().stream(BIG_QUERY, new Object[0])) {
                    rows.forEach(r -> {
                        acc[0]++;
                        acc[1] += r.getInt(0) + r.getString(1).length() + r.getInt(2);
                    });
                }
            }
            case "tusk-async-stream" -> {
                AsyncConnection<Row> c = AsyncConnection.connect(BenchServer.tuskConninfo()).join();
                CompletableFuture<Void> end = new CompletableFuture<>();
                c.stream(BIG_QUERY).subscribe(new Flow.Subscriber<Row>() {
                    Flow.Subscription s;
                    int asked;

                    public void onSubscribe(Flow.Subscription s) {
                        this.s = s;
                        asked = 1000;
                        s.request(1000);
                    }

                    public void onNext(Row r) {
                        acc[0]++;
                        acc[1] += r.getInt(0) + r.getString(1).length() + r.getInt(2);
                        if (--asked == 500) { // keep between 500 and 1,000 asked for
                            asked += 500;
                            s.request(500);
                        }
                    }

                    public void onError(Throwable t) {
                        end.completeExceptionally(t);
                    }

                    public void onComplete() {
                        end.complete(null);
                    }
                });
                end.join();
                c.close();
            }
            case "pgjdbc" -> {
                try (java.sql.Connection c = DriverManager.getConnection(BenchServer.jdbcUrl(""))) {
                    c.setAutoCommit(false);
                    try (PreparedStatement ps = c.prepareStatement(BIG_QUERY)) {
                        ps.setFetchSize(1000);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                acc[0]++;
                                acc[1] += rs.getInt(1) + rs.getString(2).length() + rs.getInt(3);
                            }
                        }
                    }
                    c.commit();
                }
            }
            case "vertx" -> {
                Vertx vertx = Vertx.vertx();
                PgConnection c = Vertx5.await(PgConnection.connect(vertx, Vertx5.options()
                        .setPipeliningLimit(PgConnectOptions.DEFAULT_PIPELINING_LIMIT)));
                CompletableFuture<Void> end = new CompletableFuture<>();
                Future<Void> done = c.begin().compose(tx -> c.prepare(BIG_QUERY).compose(ps -> {
                    var rows = ps.createStream(1000);
                    rows.exceptionHandler(end::completeExceptionally);
                    rows.endHandler(v -> end.complete(null));
                    rows.handler(r -> {
                        acc[0]++;
                        acc[1] += r.getInteger(0) + r.getString(1).length() + r.getInteger(2);
                    });
                    return Future.fromCompletionStage(end).compose(v -> tx.commit());
                }));
                Vertx5.await(done);
                Vertx5.await(c.close());
                Vertx5.await(vertx.close());
            }
            default -> throw new IllegalArgumentException(client);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long expected = expectedBig();
        System.out.printf(Locale.ROOT, "stream %-18s %,d rows in %.1f s at -Xmx%dm: %,.0f rows/s; checksum %s; %d GCs%n", client,
                acc[0], seconds, Runtime.getRuntime().maxMemory() >> 20, acc[0] / seconds,
                acc[1] == expected && acc[0] == BIG_ROWS ? "ok" : "WRONG (" + acc[1] + " != " + expected + ")",
                ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionCount())).sum());
    }
}
