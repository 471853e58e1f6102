package dev.tusk.pool;

import java.time.Duration;

/** The PoolTimeout a lease gets, for both pools: it says why no connection was free. */
final class PoolTimeouts {
    private PoolTimeouts() {
    }

    /**
     * {@code lastConnectError}: why the pool's last attempt to open a connection failed, null when the last one
     * succeeded (then every connection is simply in use).
     */
    static PoolTimeout leaseTimedOut(String pool, Duration timeout, int maxSize, Throwable lastConnectError) {
        String prefix = "couldn't get a connection from pool '" + pool + "' after " + timeout.toMillis() + " ms: ";
        if (lastConnectError == null) {
            return new PoolTimeout(prefix + "all " + maxSize + " connections are in use (raise maxSize or timeout)");
        }
        return new PoolTimeout(prefix + "the server cannot be reached, the last attempt to connect failed: "
                + lastConnectError.getMessage() + " (the pool keeps retrying in the background)", lastConnectError);
    }
}
