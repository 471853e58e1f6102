package dev.tusk.pool;

import java.util.Map;

/**
 * The pool's figures over JMX, under {@code dev.tusk.pool:type=ConnectionPool,name=<name>}: the same as
 * {@link ConnectionPool#getStats()}.
 */
public interface ConnectionPoolMXBean {
    Map<String, Long> getStats();

    int getPoolSize();

    int getPoolAvailable();

    int getRequestsWaiting();
}
