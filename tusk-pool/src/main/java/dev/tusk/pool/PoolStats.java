package dev.tusk.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** psycopg_pool's counters; the gauges (pool_size, ...) are added by the pool when it reports. */
final class PoolStats {
    final LongAdder usageMs = new LongAdder();
    final LongAdder requestsNum = new LongAdder();
    final LongAdder requestsQueued = new LongAdder();
    final LongAdder requestsWaitMs = new LongAdder();
    final LongAdder requestsErrors = new LongAdder();
    final LongAdder returnsBad = new LongAdder();
    final LongAdder connectionsNum = new LongAdder();
    final LongAdder connectionsMs = new LongAdder();
    final LongAdder connectionsErrors = new LongAdder();
    final LongAdder connectionsLost = new LongAdder();

    /** psycopg_pool's report: the gauges a pool reads under its lock, then the counters ({@code reset}: popStats). */
    Map<String, Long> report(int min, int max, int size, int available, int waiting, boolean reset) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("pool_min", (long) min);
        m.put("pool_max", (long) max);
        m.put("pool_size", (long) size);
        m.put("pool_available", (long) available);
        m.put("requests_waiting", (long) waiting);
        m.putAll(counters(reset));
        return m;
    }

    /** The counters with psycopg_pool's keys; {@code reset} zeroes them after reading (popStats). */
    Map<String, Long> counters(boolean reset) {
        Map<String, Long> m = new LinkedHashMap<>();
        put(m, "usage_ms", usageMs, reset);
        put(m, "requests_num", requestsNum, reset);
        put(m, "requests_queued", requestsQueued, reset);
        put(m, "requests_wait_ms", requestsWaitMs, reset);
        put(m, "requests_errors", requestsErrors, reset);
        put(m, "returns_bad", returnsBad, reset);
        put(m, "connections_num", connectionsNum, reset);
        put(m, "connections_ms", connectionsMs, reset);
        put(m, "connections_errors", connectionsErrors, reset);
        put(m, "connections_lost", connectionsLost, reset);
        return m;
    }

    private static void put(Map<String, Long> m, String key, LongAdder v, boolean reset) {
        m.put(key, reset ? v.sumThenReset() : v.sum());
    }
}
