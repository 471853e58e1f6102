package dev.tusk.replication;

import dev.tusk.errors.ProgrammingException;

import java.time.Duration;

/**
 * How a {@link ReplicationStream} talks to the server besides the data.
 *
 * @param statusInterval how often a standby status update (the positions received and acknowledged) is sent
 *                       even if the server does not ask; PostgreSQL's {@code wal_receiver_status_interval}
 *                       defaults to 10 s
 * @param serverTimeout  how long the stream waits without hearing anything from the server before it gives
 *                       up: after half of it the stream asks the server for a reply; after all of it the
 *                       connection is closed and the read fails with an {@code OperationalException} (a
 *                       frozen server or network). PostgreSQL's {@code wal_receiver_timeout} defaults to 60 s
 * @param closeTimeout   how long {@link ReplicationStream#close()} waits for the server to end the stream;
 *                       past it the connection is closed instead
 */
public record StreamOptions(Duration statusInterval, Duration serverTimeout, Duration closeTimeout) {
    /** 10 s status interval, 60 s server timeout, 10 s close timeout. */
    public static final StreamOptions DEFAULTS = new StreamOptions(Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofSeconds(10));

    public StreamOptions {
        positive(statusInterval, "statusInterval");
        positive(serverTimeout, "serverTimeout");
        positive(closeTimeout, "closeTimeout");
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new ProgrammingException(what + " must be a positive duration, got " + d);
        }
    }

    public StreamOptions withStatusInterval(Duration d) {
        return new StreamOptions(d, serverTimeout, closeTimeout);
    }

    public StreamOptions withServerTimeout(Duration d) {
        return new StreamOptions(statusInterval, d, closeTimeout);
    }

    public StreamOptions withCloseTimeout(Duration d) {
        return new StreamOptions(statusInterval, serverTimeout, d);
    }
}
