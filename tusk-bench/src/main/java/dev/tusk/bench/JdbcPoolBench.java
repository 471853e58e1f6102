package dev.tusk.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * JDBC pool lease ({@code DataSource.getConnection()} then {@code close()}), 4 connections: tusk-jdbc's
 * TuskPooledDataSource over Tusk's pool vs HikariCP over pgjdbc; one thread, and 8 threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcPoolBench {
    @Param({"tusk-jdbc", "pgjdbc"})
    public String client;

    private DataSource ds;

    @Setup(Level.Trial)
    public void open() throws Exception {
        ds = JdbcClients.pool(client, PoolBench.CONNECTIONS);
        try (Connection c = ds.getConnection()) {
            Checks.expect(client + " autocommit", 1, c.getAutoCommit() ? 1 : 0);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        JdbcClients.close(ds);
    }

    /** One lease and its return; the lease goes to JMH's blackhole as it is (see PoolBench#lease). */
    private Object lease() throws Exception {
        try (Connection c = ds.getConnection()) {
            return c;
        }
    }

    @Benchmark
    @Threads(1)
    public Object uncontended() throws Exception {
        return lease();
    }

    @Benchmark
    @Threads(8)
    public Object contended() throws Exception {
        return lease();
    }
}
