package dev.tusk.r2dbc;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Result;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Statements without parameters, submitted together (one pipeline) and answered in order, one Result each. */
public final class TuskBatch implements Batch {
    private final TuskConnection connection;
    private final List<String> statements = new ArrayList<>();

    TuskBatch(TuskConnection connection) {
        this.connection = connection;
    }

    @Override
    public TuskBatch add(String sql) {
        if (sql == null) {
            throw new IllegalArgumentException("sql must not be null");
        }
        statements.add(sql);
        return this;
    }

    @Override
    public Flux<Result> execute() {
        List<String> all = List.copyOf(statements);
        return Flux.defer(() -> {
            List<CompletableFuture<List<Result>>> sent = new ArrayList<>(all.size());
            for (String s : all) {
                sent.add(connection.run(s, null));
            }
            return Flux.fromIterable(sent).concatMap(f -> Mono.fromFuture(f, true), 1).flatMapIterable(l -> l);
        });
    }
}
