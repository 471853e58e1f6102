package dev.tusk.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Databases created ahead of time on a background thread, because {@code CREATE DATABASE} copies the template
 * and takes a few hundred milliseconds, while renaming a ready database to the test's name takes one. The
 * queue holds at most {@code size} databases; every take schedules a refill.
 */
final class DatabasePool {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final AbstractServer server;
    private final int size;
    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final AtomicInteger scheduled = new AtomicInteger();
    private final ExecutorService filler;
    private Connection connection; // used by the filler thread only

    DatabasePool(AbstractServer server, int size) {
        this.server = server;
        this.size = size;
        this.filler = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tusk-testing-database-pool");
            t.setDaemon(true);
            return t;
        });
    }

    /** A ready database's name, or null if none is ready yet; asks for more either way. */
    String poll() {
        String name = ready.poll();
        refill();
        return name;
    }

    void refill() {
        while (ready.size() + scheduled.get() < size) {
            scheduled.incrementAndGet();
            filler.execute(this::createOne);
        }
    }

    /** Stops refilling and returns the names of the databases that were ready (and still exist). */
    List<String> shutdown() {
        filler.shutdownNow();
        try {
            filler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Jdbc.closeQuietly(connection);
        List<String> left = new ArrayList<>();
        ready.drainTo(left);
        return left;
    }

    private void createOne() {
        try {
            if (connection == null || !connection.isValid(5)) {
                Jdbc.closeQuietly(connection);
                connection = server.openConnection("postgres");
            }
            String name = "tusk_pool_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            Jdbc.execute(connection, server.createDatabaseSql(name));
            ready.add(name);
        } catch (RuntimeException | SQLException e) {
            // The server may be stopped by a test right now; the next take creates synchronously and refills.
            Jdbc.closeQuietly(connection);
            connection = null;
        } finally {
            scheduled.decrementAndGet();
        }
    }
}
