package dev.tusk.bench;

/**
 * A thread that keeps one vCPU busy while a single-connection latency workload runs. On these virtual
 * machines an idle vCPU takes long to wake up, and that wake-up, not PostgreSQL or the client, would
 * otherwise set the round-trip time (see the project's benchmarking notes); every client, pgbench
 * included, runs with it.
 */
final class Spinner implements AutoCloseable {
    private volatile boolean running = true;
    private final Thread thread;

    Spinner() {
        thread = new Thread(() -> {
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
