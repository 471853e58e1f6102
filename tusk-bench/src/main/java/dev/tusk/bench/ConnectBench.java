package dev.tusk.bench;

import dev.tusk.Connection;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
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

import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;

/** (e) Connect + SCRAM-SHA-256 authentication + close. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConnectBench {
    @Param({"tusk", "pgjdbc", "vertx"})
    public String client;

    private Vertx vertx;

    @Setup(Level.Trial)
    public void open() throws Exception {
        if (client.equals("vertx")) {
            vertx = Vertx.vertx();
        }
        connectAndClose(); // fails the trial if the client cannot log in
    }

    @TearDown(Level.Trial)
    public void close() {
        if (vertx != null) {
            Vertx5.await(vertx.close());
        }
    }

    @Benchmark
    public void connectAndClose() throws Exception {
        switch (client) {
            case "tusk" -> Connection.connect(BenchServer.tuskConninfo()).close();
            case "pgjdbc" -> DriverManager.getConnection(BenchServer.jdbcUrl("")).close();
            case "vertx" -> {
                PgConnection c = Vertx5.connect(vertx);
                Vertx5.await(c.close());
            }
            default -> throw new IllegalArgumentException(client);
        }
    }

}
