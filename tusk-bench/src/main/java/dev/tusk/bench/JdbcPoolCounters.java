package dev.tusk.bench;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * {@link JdbcPoolBench}'s lease and return ({@code getConnection()} then {@code close()}, 4 connections) counted
 * instead of timed: per lease, the CPU time and the bytes allocated by the leasing threads (ThreadMXBean), and the
 * wall-clock time of a turn divided by its leases, for tusk-jdbc's pooled DataSource and HikariCP over pgjdbc in one
 * JVM, in alternating turns after a warm-up.
 *
 * <p>{@code java -cp <bench classpath> dev.tusk.bench.JdbcPoolCounters [threads] [turns] [leases per thread and turn]}
 * (defaults 1, 20, 20000). A build's tusk-core and tusk-jdbc class directories put before the classpath's jars
 * measure that build.
 */
public final class JdbcPoolCounters {
    private JdbcPoolCounters() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        try (BenchServer server = BenchServer.start()) {
            System.setProperty("tusk.bench.port", Integer.toString(server.port()));
            String[] names = {"tusk-jdbc", "pgjdbc"};
            DataSource[] pools = {JdbcClients.pool(names[0], PoolBench.CONNECTIONS),
                JdbcClients.pool(names[1], PoolBench.CONNECTIONS)};
            long[] cpu = new long[2];
            long[] allocated = new long[2];
            long[] wall = new long[2];
            long[] leases = new long[2];
            ExecutorService ex = Executors.newFixedThreadPool(threads);
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            try {
                for (int t = -10; t < turns; t++) { // the first 10 turns warm up
                    for (int k = 0; k < 2; k++) {
                        int c = (t + k) & 1; // each first in turn
                        DataSource ds = pools[c];
                        AtomicLong turnCpu = new AtomicLong();
                        AtomicLong turnBytes = new AtomicLong();
                        CountDownLatch go = new CountDownLatch(1);
                        List<Future<?>> done = new ArrayList<>();
                        for (int i = 0; i < threads; i++) {
                            done.add(ex.submit(() -> {
                                go.await();
                                long id = Thread.currentThread().getId();
                                long cpu0 = mx.getCurrentThreadCpuTime();
                                long bytes0 = mx.getThreadAllocatedBytes(id);
                                for (int q = 0; q < n; q++) {
                                    try (Connection conn = ds.getConnection()) {
                                        Checks.expect("a lease", 1, conn == null ? 0 : 1);
                                    }
                                }
                                turnCpu.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                                turnBytes.addAndGet(mx.getThreadAllocatedBytes(id) - bytes0);
                                return null;
                            }));
                        }
                        long start = System.nanoTime();
                        go.countDown();
                        for (Future<?> f : done) {
                            f.get();
                        }
                        if (t >= 0) {
                            wall[c] += System.nanoTime() - start;
                            cpu[c] += turnCpu.get();
                            allocated[c] += turnBytes.get();
                            leases[c] += (long) n * threads;
                        }
                    }
                }
            } finally {
                ex.shutdown();
                for (DataSource ds : pools) {
                    JdbcClients.close(ds);
                }
            }
            for (int c = 0; c < 2; c++) {
                System.out.printf("%-9s %d thread(s): cpu %7.1f ns  alloc %6.1f B  wall %7.1f ns per lease%n", names[c],
                        threads, cpu[c] / (double) leases[c], allocated[c] / (double) leases[c],
                        wall[c] / (double) leases[c]);
            }
            System.out.printf("tusk-jdbc/pgjdbc cpu %.3f alloc %.3f wall %.3f%n", cpu[0] / (double) cpu[1],
                    allocated[0] / (double) allocated[1], wall[0] / (double) wall[1]);
        }
    }
}
