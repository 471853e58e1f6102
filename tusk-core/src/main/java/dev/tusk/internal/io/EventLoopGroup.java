package dev.tusk.internal.io;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small fixed set of {@link EventLoop}s; each new connection goes to the next loop in turn and stays
 * there for its lifetime. The shared group has one loop per core unless the system property
 * {@value #THREADS_PROPERTY} says otherwise. Its threads are daemons named {@code tusk-event-loop-N}.
 */
public final class EventLoopGroup {
    /** System property: the number of threads of the shared group. */
    public static final String THREADS_PROPERTY = "tusk.eventLoopThreads";

    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    public EventLoopGroup(int threads, String namePrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("an event loop group needs at least one thread, got " + threads);
        }
        loops = new EventLoop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new EventLoop(namePrefix + "-" + (i + 1));
        }
    }

    /** The group every AsyncConnection uses, started on first use. */
    public static EventLoopGroup shared() {
        return Shared.GROUP;
    }

    /** The loop for the next connection (round robin). */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    public int size() {
        return loops.length;
    }

    /** Stops every loop of this group (not meant for the shared group). */
    public void shutdown() {
        for (EventLoop l : loops) {
            l.shutdown();
        }
    }

    static int configuredThreads() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + THREADS_PROPERTY + " must be a positive integer, got '"
                    + v + "'");
        }
    }

    private static final class Shared {
        static final EventLoopGroup GROUP = new EventLoopGroup(configuredThreads(), "tusk-event-loop");
    }
}
