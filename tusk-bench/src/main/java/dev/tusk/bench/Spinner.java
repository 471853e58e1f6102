package dev.tusk.bench;

/**
 * A thread that keeps one vCPU busy while a single-connection latency workload runs. On these virtual
 * machines an idle vCPU takes long to wake up, and that wake-up, not PostgreSQL or the client, would
 * otherwise set the round-trip time (see the project's benchmarking notes); every client, pgbench
 * included, runs with it. The system property {@code tusk.bench.spinner=off} (set by the runner's {@code perf}
 * mode, which counts the client's CPU time) leaves it out.
 */
final class Spinner implements AutoCloseable {
    private volatile boolean running = true;

    Spinner() {
        if ("off".equals(System.getProperty("tusk.bench.spinner"))) {
            return;
        }
        Thread thread = new Thread(() -> {
            while (running) {
                Thread.onSpinWait();
            }
        }, "bench-spinner");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
    }
}
