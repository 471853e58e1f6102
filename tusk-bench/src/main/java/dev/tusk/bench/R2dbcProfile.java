package dev.tusk.bench;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Costs per query of the R2DBC workloads ({@link R2dbcBench}'s point selects chained 100 per block and 32 in
 * flight over 4 connections) on tusk-r2dbc and r2dbc-postgresql, measured without JMH so that a loaded machine
 * changes the wall-clock numbers but not these: the client's CPU time per thread group (from
 * {@code /proc/self/task/N/schedstat}), its context switches and read/write system calls ({@code io}: NIO's
 * read and write are counted, not Netty's or PostgreSQL's recv and send), the bytes it allocates (all live threads),
 * and the server backends' CPU time and context switches ({@code /proc/PID/schedstat} of {@code pg_backend_pid()}).
 * The two drivers alternate, several rounds each, after a warm-up. The mode {@code fetch} measures R2dbcBench's
 * 100,000-row read instead, per row ({@code queries}: rows, rounded to whole fetches). Run from the bench module's classpath:
 * {@code java -cp ... dev.tusk.bench.R2dbcProfile [point|inflight|both|fetch] [rounds] [queries] [clients]}; the clients
 * (comma-separated, both R2DBC drivers by default) may include {@code tusk-async}: Tusk's own {@code AsyncConnection},
 * the same statements chained through {@code thenCompose} or kept 32 in flight from their callbacks, without R2DBC
 * or Reactor (what tusk-r2dbc's client costs beyond it is the R2DBC layer's); {@code tusk-joined}: the point selects
 * on an {@code AsyncConnection} joined one by one (in flight as {@code tusk-async}); {@code tusk-blocking}: the point
 * selects on a blocking {@code Connection} (no in-flight run). A Tusk client's name may end in {@code :noinline} (a
 * statement submitted on its connection's loop thread is queued as from any other thread) and {@code :nocallerread}
 * (a joining caller leaves the read to the loop): the same JVM then measures both ways, the switch set before each
 * of that client's runs. With {@code -Dr2dbc.profile.perf=true} each measured run also counts, per query, the system
 * calls by kind, the context switches and the wake-ups of the client's thread groups and of the server backends
 * ({@link PerfCounts}: {@code perf stat} attached for the run).
 */
public final class R2dbcProfile {
    private static final Duration T = Duration.ofSeconds(300);
    private static final String SQL = "SELECT v FROM bench_kv WHERE id = $1";

    private R2dbcProfile() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "both";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        String[] clients = args.length > 3 ? args[3].split(",") : new String[] {"tusk-r2dbc", "r2dbc-postgresql"};
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            List<Client> cs = new ArrayList<>();
            for (String name : clients) {
                cs.add(new Client(name));
            }
            if (which.equals("fetch")) {
                fetchRounds(cs, rounds, Math.max(1, queries / BenchServer.WIDE_ROWS));
                for (Client c : cs) {
                    c.close();
                }
                return;
            }
            for (Client c : cs) { // warm-up: C2 compiles both paths before anything is counted
                c.switches();
                for (int i = 0; i < 3; i++) {
                    c.point(queries);
                    if (c.blocking == null) {
                        c.inflight(queries);
                    }
                }
            }
            for (Client c : cs) { // what each driver left on the server: named statements, plans
                if (c.conns.isEmpty()) {
                    continue;
                }
                System.out.println(c.name + " prepared: " + Flux.from(c.conns.get(0).createStatement(
                                "SELECT name || ': ' || statement || ' generic ' || generic_plans || ' custom ' || custom_plans"
                                        + " || ' types ' || parameter_types::text FROM pg_prepared_statements").execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, String.class))).collectList().block(T));
            }
            for (int r = 0; r < rounds; r++) {
                for (Client c : cs) {
                    c.switches();
                    if (!which.equals("inflight")) {
                        try (Spinner s = Boolean.getBoolean("r2dbc.profile.spin") ? new Spinner() : null) {
                            report(c.name + " point", queries, c.pids.subList(0, 1), () -> c.point(queries));
                        }
                    }
                    if (!which.equals("point") && c.blocking == null) {
                        report(c.name + " inflight32", queries, c.pids, () -> c.inflight(queries));
                    }
                }
            }
            for (Client c : cs) {
                c.close();
            }
        }
    }

    /**
     * The {@code fetch} mode: R2dbcBench's fetch100k ({@code bench_wide}, 100,000 rows x 6 columns, every value
     * read) {@code fetches} times per measured run, costs per row; {@code tusk-async} reads the same values from
     * Tusk's rows ({@code Row.get(i)}) of {@code AsyncConnection.execute(String)} (simple protocol, as tusk-r2dbc
     * sends a statement without parameters): what tusk-r2dbc costs beyond it is the R2DBC layer's.
     */
    private static void fetchRounds(List<Client> cs, int rounds, int fetches) throws IOException {
        int rows = fetches * BenchServer.WIDE_ROWS;
        for (int w = 0; w < 12; w++) { // warm-up: C2 compiles every path before anything is counted
            for (Client c : cs) {
                c.switches();
                c.fetch(1);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (Client c : cs) {
                c.switches();
                report(c.name + " fetch/row", rows, c.pids.subList(0, 1), () -> c.fetch(fetches));
            }
        }
    }

    /** Keeps the values read alive (the JIT cannot drop the reads). */
    static long sink;

    static final class Client {
        final String name;
        final List<Connection> conns = new ArrayList<>();
        final List<Long> pids = new ArrayList<>();
        /** For "tusk-async": Tusk's own AsyncConnections, the same statements without R2DBC or Reactor. */
        final List<AsyncConnection<Row>> async;
        /** For "tusk-blocking": a blocking Connection. */
        final dev.tusk.Connection<Row> blocking;
        final String base;

        Client(String name) {
            this.name = name;
            this.base = name.split(":")[0];
            if (base.equals("tusk-blocking")) {
                async = null;
                blocking = dev.tusk.Connection.connect(BenchServer.tuskConninfo());
                pids.add(((Number) blocking.execute("SELECT pg_backend_pid()").fetchone().get(0)).longValue());
                return;
            }
            blocking = null;
            if (base.equals("tusk-async") || base.equals("tusk-joined")) {
                async = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    AsyncConnection<Row> c = AsyncConnection.connect(BenchServer.tuskConninfo()).join();
                    async.add(c);
                    pids.add(((Number) c.execute("SELECT pg_backend_pid()").join().fetchone().get(0)).longValue());
                }
                return;
            }
            async = null;
            ConnectionFactory cf = ConnectionFactories.get(R2dbcBench.url(base));
            for (int i = 0; i < 4; i++) {
                Connection c = Mono.from(cf.create()).block(T);
                conns.add(c);
                Number pid = Flux.from(c.createStatement("SELECT pg_backend_pid()").execute())
                        .concatMap(r -> r.map((row, md) -> (Number) row.get(0))).blockLast(T);
                pids.add(pid.longValue());
            }
        }

        /** Sets Tusk's switches for this client's runs (see the class comment). */
        void switches() {
            set("dev.tusk.internal.io.EventLoopDriver", "runOnLoop", !name.contains(":noinline"));
            set("dev.tusk.internal.io.CallerRead", "enabled", !name.contains(":nocallerread"));
        }

        private static void set(String className, String field, boolean value) {
            try {
                java.lang.reflect.Field f = Class.forName(className).getDeclaredField(field);
                f.setAccessible(true);
                f.setBoolean(null, value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot set " + className + "." + field, e);
            }
        }

        long point(int n) {
            if (blocking != null) {
                long total = 0;
                for (int i = 0; i < n; i++) {
                    total += blocking.rawCursor().execute(SQL, i % BenchServer.KV_ROWS + 1).fetchone().getString(0) != null ? 1 : 0;
                }
                return total;
            }
            if (base.equals("tusk-joined")) {
                AsyncConnection<Row> c = async.get(0);
                long total = 0;
                for (int i = 0; i < n; i++) {
                    total += c.rawCursor().execute(SQL, i % BenchServer.KV_ROWS + 1).join().fetchone().getString(0) != null ? 1 : 0;
                }
                return total;
            }
            if (async != null) {
                return asyncPoint(n);
            }
            Connection c = conns.get(0);
            long total = 0;
            for (int from = 0; from < n; from += R2dbcBench.CHAIN) {
                total += Flux.range(from, R2dbcBench.CHAIN)
                        .concatMap(i -> Flux.from(c.createStatement(SQL).bind(0, i % BenchServer.KV_ROWS + 1).execute())
                                .concatMap(r -> r.map((row, md) -> row.get(0, String.class))))
                        .count().block(T);
            }
            return total;
        }

        /** Chained as the R2DBC workload: each statement sent once the one before completed, joined per 100. */
        long asyncPoint(int n) {
            AsyncConnection<Row> c = async.get(0);
            long total = 0;
            for (int from = 0; from < n; from += R2dbcBench.CHAIN) {
                CompletableFuture<Long> chain = CompletableFuture.completedFuture(0L);
                for (int i = from; i < from + R2dbcBench.CHAIN; i++) {
                    int id = i % BenchServer.KV_ROWS + 1;
                    chain = chain.thenCompose(k -> c.rawCursor().execute(SQL, id)
                            .thenApply(cur -> k + (cur.fetchone().getString(0) != null ? 1 : 0)));
                }
                total += chain.join();
            }
            return total;
        }

        /** 32 in flight over the 4 connections, the next statement sent as one completes. */
        long asyncInflight(int n) {
            CompletableFuture<Long> done = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
            Runnable[] send = new Runnable[1];
            send[0] = () -> {
                int i = next.getAndIncrement();
                if (i >= n) {
                    return;
                }
                async.get(i & 3).rawCursor().execute(SQL, i % BenchServer.KV_ROWS + 1).whenComplete((cur, err) -> {
                    if (err != null) {
                        done.completeExceptionally(err);
                        return;
                    }
                    if (cur.fetchone().getString(0) != null) {
                        rows.incrementAndGet();
                    }
                    if (completed.incrementAndGet() == n) {
                        done.complete(rows.get());
                    }
                    send[0].run();
                });
            };
            for (int k = 0; k < 32; k++) {
                send[0].run();
            }
            return done.join();
        }

        /** R2dbcBench.fetch100k {@code times} times; the rows read. */
        long fetch(int times) {
            long rows = 0;
            for (int t = 0; t < times; t++) {
                rows += async != null ? asyncFetch() : r2dbcFetch();
            }
            return rows;
        }

        private long r2dbcFetch() {
            long[] sum = new long[1];
            Long n = Flux.from(conns.get(0).createStatement(FetchBench.QUERY).execute())
                    .concatMap(r -> r.map((row, md) -> {
                        Integer a = row.get(0, Integer.class);
                        String b = row.get(1, String.class);
                        Integer c = row.get(2, Integer.class);
                        java.time.OffsetDateTime d = row.get(3, java.time.OffsetDateTime.class);
                        java.math.BigDecimal e = row.get(4, java.math.BigDecimal.class);
                        Boolean f = row.get(5, Boolean.class);
                        sum[0] += (a == null ? 0 : a) + b.length() + (c == null ? 0 : c) + (d == null ? 0 : 1)
                                + (e == null ? 0 : 1) + (Boolean.TRUE.equals(f) ? 1 : 0);
                        return 1;
                    })).count().block(T);
            sink += sum[0];
            return n;
        }

        private long asyncFetch() {
            AsyncCursor<Row> cur = async.get(0).execute(FetchBench.QUERY).join();
            long sum = 0;
            long n = 0;
            for (Row row : cur.fetchall()) {
                Integer a = (Integer) row.get(0);
                String b = (String) row.get(1);
                Integer c = (Integer) row.get(2);
                java.time.OffsetDateTime d = (java.time.OffsetDateTime) row.get(3);
                java.math.BigDecimal e = (java.math.BigDecimal) row.get(4);
                Boolean f = (Boolean) row.get(5);
                sum += (a == null ? 0 : a) + b.length() + (c == null ? 0 : c) + (d == null ? 0 : 1)
                        + (e == null ? 0 : 1) + (Boolean.TRUE.equals(f) ? 1 : 0);
                n++;
            }
            sink += sum;
            return n;
        }

        long inflight(int n) {
            if (async != null) {
                return asyncInflight(n);
            }
            return Flux.range(0, n)
                    .flatMap(i -> Flux.from(conns.get(i & 3).createStatement(SQL).bind(0, i % BenchServer.KV_ROWS + 1).execute())
                            .concatMap(r -> r.map((row, md) -> row.get(0, String.class))), 32)
                    .count().block(T);
        }

        void close() {
            if (async != null) {
                async.forEach(AsyncConnection::close);
            }
            if (blocking != null) {
                blocking.close();
            }
            for (Connection c : conns) {
                Mono.from(c.close()).block(T);
            }
        }
    }

    private static void report(String label, int queries, List<Long> pids, LongSupplier work) throws IOException {
        System.gc();
        Map<String, long[]> before = threads();
        long allocBefore = allocated();
        long[] serverBefore = server(pids);
        PerfCounts perf = PerfCounts.start(pids);
        long t0 = System.nanoTime();
        long n = work.getAsLong();
        long wall = System.nanoTime() - t0;
        String perCall = perf == null ? "" : perf.stop(queries, R2dbcProfile::group);
        long[] serverAfter = server(pids);
        long allocAfter = allocated();
        Map<String, long[]> after = threads();
        if (n != queries) {
            throw new IllegalStateException(label + ": " + n + " rows");
        }
        Map<String, long[]> groups = new TreeMap<>();
        for (var e : after.entrySet()) {
            long[] a = e.getValue();
            long[] b = before.getOrDefault(e.getKey(), new long[5]);
            String g = group(e.getKey());
            long[] sum = groups.computeIfAbsent(g, k -> new long[5]);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += a[i] - b[i];
            }
        }
        long cpu = 0;
        long cs = 0;
        StringBuilder sb = new StringBuilder();
        for (var e : groups.entrySet()) {
            long[] v = e.getValue();
            if (v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0 && v[4] == 0) {
                continue;
            }
            if (!e.getKey().equals("spinner")) { // the spinner's CPU is not the client's
                cpu += v[0];
                cs += v[1] + v[2];
            }
            sb.append(String.format("  %s %.3fus/%.2fcs/%.2fr/%.2fw", e.getKey(), v[0] / 1e3 / queries, (v[1] + v[2]) / (double) queries,
                    v[3] / (double) queries, v[4] / (double) queries));
        }
        System.out.printf("%-28s wall %7.3f us/q (%6.0f q/s)  client CPU %7.3f us/q  ctxsw %.2f/q  alloc %6.0f B/q  server CPU %7.3f us/q ctxsw %.2f/q%n%s%n",
                label, wall / 1e3 / queries, queries * 1e9 / wall, cpu / 1e3 / queries, cs / (double) queries,
                (allocAfter - allocBefore) / (double) queries,
                (serverAfter[0] - serverBefore[0]) / 1e3 / queries, (serverAfter[1] - serverBefore[1]) / (double) queries, sb);
        if (!perCall.isEmpty()) {
            System.out.print(perCall);
        }
    }

    static String group(String key) {
        String comm = key.substring(key.indexOf(' ') + 1);
        if (comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
            return "jit";
        }
        if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.contains("GC")) {
            return "gc";
        }
        if (comm.startsWith("tusk-event")) {
            return "tusk-loop";
        }
        if (comm.startsWith("reactor-tcp")) {
            return "reactor-loop";
        }
        if (comm.startsWith("bench-spinner")) {
            return "spinner";
        }
        if (comm.equals("main") || comm.equals("java")) { // the JVM's main thread keeps the launcher's name, java
            return "main";
        }
        return "other";
    }

    /**
     * tid + comm → {cpu ns, voluntary, involuntary context switches, read and write system calls}. The system calls
     * are {@code /proc/.../io}'s {@code syscr} and {@code syscw}: read, recvfrom, readv... and write, sendto, writev...
     * (epoll_wait is in neither).
     */
    private static Map<String, long[]> threads() throws IOException {
        Map<String, long[]> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    long[] v = stat(t);
                    out.put(t.getFileName() + " " + comm, v);
                } catch (IOException gone) {
                    // the thread ended
                }
            }
        }
        return out;
    }

    private static long[] stat(Path task) throws IOException {
        long cpu = Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
        long vol = 0;
        long invol = 0;
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                vol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                invol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        long syscr = 0;
        long syscw = 0;
        try {
            for (String line : Files.readAllLines(task.resolve("io"))) {
                if (line.startsWith("syscr:")) {
                    syscr = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    syscw = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | SecurityException unreadable) {
            // another user's process: no I/O counts
        }
        return new long[] {cpu, vol, invol, syscr, syscw};
    }

    private static long[] server(List<Long> pids) throws IOException {
        long[] sum = new long[2];
        for (long pid : pids) {
            long[] v = stat(Path.of("/proc/" + pid));
            sum[0] += v[0];
            sum[1] += v[1] + v[2];
        }
        return sum;
    }

    private static long allocated() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(ids)) {
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }
}
