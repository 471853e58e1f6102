package dev.tusk.bench;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two builds of tusk-jdbc (each its own tusk-core and tusk-jdbc class directories, loaded child-first) and pgjdbc in
 * one JVM, running {@link JdbcProfile}'s point select in turns of a few thousand queries each: an A/B of a change
 * that a loaded machine does not blur as much as separate runs do. Per client, after a warm-up: the CPU time and the
 * user time of its thread (ThreadMXBean; user time counts in scheduler ticks) and the bytes it allocated, per query.
 * Each client runs on a thread of its own, named {@code q-A}, {@code q-B} and {@code q-pgjdbc}, so that a
 * {@code perf record -e cpu-clock -F 10000} of the run splits its samples by thread (user or kernel by address) with
 * a finer grain than the ticks; with the system property {@code tusk.bench.perfControl} (a FIFO) the measured turns
 * only are told to a {@code perf record -D -1 --control fifo:PATH}.
 *
 * <p>{@code java -cp <bench classpath> dev.tusk.bench.JdbcBuildsAB CORE_A JDBC_A CORE_B JDBC_B [turns] [queries]}
 * (the directories: copies of {@code tusk-core/target/classes} and {@code tusk-jdbc/target/classes} of each build).
 * Compiled code differs from one JVM to the next (its inlining follows the profile of the warm-up): a difference of
 * a few per cent between two builds needs several runs, A and B swapped, to be told from that.
 */
public final class JdbcBuildsAB {
    private JdbcBuildsAB() {
    }

    private static final class Client {
        final String name;
        final PreparedStatement point;
        final ExecutorService thread;
        int next;
        long cpu;
        long user;
        long allocated;
        long queries;

        Client(String name, Connection conn) throws Exception {
            this.name = name;
            this.point = conn.prepareStatement("SELECT v FROM bench_kv WHERE id = ?");
            this.thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "q-" + name));
        }

        long point(int n) throws Exception {
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

        /** One turn of {@code n} queries on the client's thread, counted. */
        void measuredTurn(int n) throws Exception {
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            thread.submit(() -> {
                long id = Thread.currentThread().getId();
                long cpu0 = mx.getCurrentThreadCpuTime();
                long user0 = mx.getCurrentThreadUserTime();
                long alloc0 = mx.getThreadAllocatedBytes(id);
                long got = point(n);
                cpu += mx.getCurrentThreadCpuTime() - cpu0;
                user += mx.getCurrentThreadUserTime() - user0;
                allocated += mx.getThreadAllocatedBytes(id) - alloc0;
                queries += got;
                return null;
            }).get();
        }
    }

    public static void main(String[] args) throws Exception {
        int turns = args.length > 4 ? Integer.parseInt(args[4]) : 60;
        int n = args.length > 5 ? Integer.parseInt(args[5]) : 2_000;
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            String pgUrl = BenchServer.jdbcUrl("");
            String tuskUrl = pgUrl.replace("jdbc:postgresql:", "jdbc:tusk:postgresql:");
            Client[] cs = new Client[3];
            for (int i = 0; i < 2; i++) {
                ClassLoader build = new BuildFirstLoader(new URL[] {Path.of(args[2 * i]).toUri().toURL(),
                        Path.of(args[2 * i + 1]).toUri().toURL()}, JdbcBuildsAB.class.getClassLoader(),
                        BuildFirstLoader::tuskNotBench);
                Driver d = (Driver) build.loadClass("dev.tusk.jdbc.TuskDriver").getConstructor().newInstance();
                cs[i] = new Client(i == 0 ? "A" : "B", d.connect(tuskUrl, new Properties()));
            }
            cs[2] = new Client("pgjdbc", new org.postgresql.Driver().connect(pgUrl, new Properties()));
            for (int w = 0; w < 30; w++) {
                for (Client c : cs) {
                    c.thread.submit(() -> c.point(n)).get();
                }
            }
            perfControl("enable");
            for (int t = 0; t < turns; t++) {
                for (int k = 0; k < cs.length; k++) {
                    cs[(t + k) % cs.length].measuredTurn(n); // each client first, middle and last in turn
                }
            }
            perfControl("disable");
            for (Client c : cs) {
                c.thread.shutdown();
                System.out.printf("%-7s cpu %8.1f ns  user %7.1f ns  alloc %6.1f B per query (%d queries)%n", c.name,
                        c.cpu / (double) c.queries, c.user / (double) c.queries, c.allocated / (double) c.queries, c.queries);
            }
            System.out.printf("B/A cpu %.3f user %.3f alloc %.3f | A/pgjdbc cpu %.3f user %.3f alloc %.3f"
                            + " | B/pgjdbc cpu %.3f user %.3f alloc %.3f%n",
                    ratio(cs[1].cpu, cs[0].cpu), ratio(cs[1].user, cs[0].user), ratio(cs[1].allocated, cs[0].allocated),
                    ratio(cs[0].cpu, cs[2].cpu), ratio(cs[0].user, cs[2].user), ratio(cs[0].allocated, cs[2].allocated),
                    ratio(cs[1].cpu, cs[2].cpu), ratio(cs[1].user, cs[2].user), ratio(cs[1].allocated, cs[2].allocated));
        }
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : a / (double) b;
    }

    private static void perfControl(String command) throws java.io.IOException {
        String fifo = System.getProperty("tusk.bench.perfControl");
        if (fifo != null) {
            Files.writeString(Path.of(fifo), command + "\n");
        }
    }
}
