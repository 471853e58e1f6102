package dev.tusk.observe;

/**
 * A lease from a pool: acquired (with the wait), returned (with the time held), or timed out (with the wait).
 *
 * @param pool  the pool
 * @param nanos the wait for {@link TuskListener#leaseAcquired} and {@link TuskListener#leaseTimedOut}, the time
 *              held for {@link TuskListener#leaseReturned}
 */
public record LeaseEvent(PoolView pool, long nanos) {
}
