package dev.tusk.bench;

import dev.tusk.Connection;
import dev.tusk.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's own limit for workload (b): {@code EXPLAIN (ANALYZE, SERIALIZE BINARY)} (PostgreSQL 17+)
 * runs the fetch query and converts every row to its wire form without sending it, so 100,000 rows divided
 * by its execution time is the most rows per second any client can receive from one backend.
 */
final class ServerSerializeLimit {
    private static final Pattern EXECUTION_MS = Pattern.compile("Execution Time: ([0-9.]+) ms");

    private ServerSerializeLimit() {
    }

    /** Rows per second: the median over runs during {@code seconds}. */
    static double fetchRows(int port, int seconds) {
        System.setProperty("tusk.bench.port", Integer.toString(port));
        try (Connection<Row> c = Connection.connect(BenchServer.tuskConninfo())) {
            List<Double> rates = new ArrayList<>();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end || rates.size() < 3) {
                StringBuilder plan = new StringBuilder();
                for (Row r : c.execute("EXPLAIN (ANALYZE, SERIALIZE BINARY, TIMING OFF) " + FetchBench.QUERY)) {
                    plan.append(r.getString(0)).append('\n');
                }
                Matcher m = EXECUTION_MS.matcher(plan);
                if (!m.find()) {
                    throw new IllegalStateException("no execution time in the plan:\n" + plan);
                }
                rates.add(BenchServer.WIDE_ROWS / (Double.parseDouble(m.group(1)) / 1000));
            }
            return BenchRunner.median(rates);
        }
    }
}
