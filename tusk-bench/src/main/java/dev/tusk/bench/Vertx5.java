package dev.tusk.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;

/** vertx-pg-client plumbing shared by the workloads. */
final class Vertx5 {
    private Vertx5() {
    }

    static PgConnectOptions options() {
        return new PgConnectOptions().setHost("127.0.0.1").setPort(BenchServer.portFromProperties())
                .setDatabase(BenchServer.DB).setUser(BenchServer.USER).setPassword(BenchServer.PASSWORD)
                .setCachePreparedStatements(true).setPipeliningLimit(256);
    }

    static PgConnection connect(Vertx vertx) {
        return await(PgConnection.connect(vertx, options()));
    }

    static <T> T await(Future<T> f) {
        return f.toCompletionStage().toCompletableFuture().join();
    }
}
