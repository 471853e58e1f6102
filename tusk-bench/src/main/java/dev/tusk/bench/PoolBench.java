package dev.tusk.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.pool.ConnectionPool;
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

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * (f) Pool lease + return, no statement: Tusk's ConnectionPool against HikariCP, uncontended (one thread)
 * and contended (8 threads over 4 connections).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PoolBench {
    static final int CONNECTIONS = 4;

    @Param({"tusk", "hikari"})
    public String client;

    private ConnectionPool<Row> tusk;
    private HikariDataSource hikari;

    @Setup(Level.Trial)
    public void open() {
        if (client.equals("tusk")) {
            tusk = ConnectionPool.builder().conninfo(BenchServer.tuskConninfo()).minSize(CONNECTIONS).maxSize(CONNECTIONS)
                    .open(true).build();
            tusk.waitReady(Duration.ofSeconds(30));
        } else {
            HikariConfig cfg = new HikariConfig();
            cfg.setJdbcUrl(BenchServer.jdbcUrl(""));
            cfg.setMaximumPoolSize(CONNECTIONS);
            cfg.setMinimumIdle(CONNECTIONS);
            hikari = new HikariDataSource(cfg);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (tusk != null) {
            tusk.close();
        }
        if (hikari != null) {
            hikari.close();
        }
    }

    /**
     * One lease and its return. The lease object goes to JMH's blackhole as it is: its identity hash code, as
     * this method used to return, costs a runtime call for every new object, and both pools now hand out a
     * new one per lease (HikariCP's proxy, Tusk's lease handle).
     */
    private Object lease() throws Exception {
        if (tusk != null) {
            try (Connection<Row> c = tusk.connection()) {
                return c;
            }
        }
        try (java.sql.Connection c = hikari.getConnection()) {
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
