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

    private int lease() throws Exception {
        if (tusk != null) {
            try (Connection<Row> c = tusk.connection()) {
                return c.hashCode();
            }
        }
        try (java.sql.Connection c = hikari.getConnection()) {
            return c.hashCode();
        }
    }

    @Benchmark
    @Threads(1)
    public int uncontended() throws Exception {
        return lease();
    }

    @Benchmark
    @Threads(8)
    public int contended() throws Exception {
        return lease();
    }
}
