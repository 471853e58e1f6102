package dev.tusk.r2dbc;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Opens {@link TuskConnection}s with Tusk's connection options (a conninfo string or URI, libpq's keywords).
 * Found by {@code ConnectionFactories.get("r2dbc:tusk://user@host:5432/db")} through
 * {@link TuskConnectionFactoryProvider}, or made directly:
 *
 * <pre>{@code
 * ConnectionFactory cf = new TuskConnectionFactory(ConnectOptions.of("host=localhost dbname=app user=app"));
 * }</pre>
 *
 * <p>The Tusk connection is always opened in auto-commit mode; R2DBC's auto-commit and transactions are
 * {@link TuskConnection}'s.
 */
public final class TuskConnectionFactory implements ConnectionFactory {
    static final ConnectionFactoryMetadata METADATA = () -> "PostgreSQL";

    private final ConnectOptions<Row> options;
    private final Duration statementTimeout;
    private final Duration lockWaitTimeout;

    public TuskConnectionFactory(ConnectOptions<Row> options) {
        this(options, null, null);
    }

    /**
     * @param statementTimeout the server's {@code statement_timeout} set on each new connection, and again after each
     *                         session reset of a pool's release (null: the server's default)
     * @param lockWaitTimeout  the server's {@code lock_timeout}, likewise (null: the server's default)
     */
    public TuskConnectionFactory(ConnectOptions<Row> options, Duration statementTimeout, Duration lockWaitTimeout) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        this.options = options.toBuilder().autocommit(true).build();
        this.statementTimeout = statementTimeout;
        this.lockWaitTimeout = lockWaitTimeout;
    }

    /** A factory for a conninfo string ({@code key=value} pairs or a {@code postgresql://} URI). */
    public static TuskConnectionFactory of(String conninfo) {
        return new TuskConnectionFactory(ConnectOptions.of(conninfo));
    }

    ConnectOptions<Row> options() {
        return options;
    }

    @Override
    public Mono<TuskConnection> create() {
        return Mono.defer(() -> {
            CompletableFuture<AsyncConnection<Row>> f = AsyncConnection.connect(options);
            return Mono.fromFuture(f, true)
                    .doOnCancel(() -> f.thenAccept(AsyncConnection::close)) // connected after all: not leaked
                    .onErrorMap(e -> Errors.translate(e, null))
                    .flatMap(c -> {
                        String init = sessionSettings();
                        TuskConnection tc = new TuskConnection(c, init);
                        if (init == null) {
                            return Mono.just(tc);
                        }
                        return Mono.fromFuture(() -> c.execute(init), true)
                                .thenReturn(tc)
                                .onErrorResume(e -> tc.close().then(Mono.error(Errors.translate(e, init))));
                    });
        });
    }

    /**
     * The {@code SET}s of the server's timeouts given to this factory, run on each new connection and again after each
     * session reset of {@link TuskConnection#preRelease()} (its {@code RESET ALL} would take them away); null: none.
     */
    private String sessionSettings() {
        StringBuilder init = new StringBuilder();
        if (statementTimeout != null) {
            init.append("SET statement_timeout = ").append(statementTimeout.toMillis()).append(';');
        }
        if (lockWaitTimeout != null) {
            init.append("SET lock_timeout = ").append(lockWaitTimeout.toMillis()).append(';');
        }
        return init.length() == 0 ? null : init.toString();
    }

    /** Named "PostgreSQL", so that frameworks choose their PostgreSQL dialect and {@code $n} bind markers. */
    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return METADATA;
    }

    @Override
    public String toString() {
        return "TuskConnectionFactory[" + options + "]";
    }
}
