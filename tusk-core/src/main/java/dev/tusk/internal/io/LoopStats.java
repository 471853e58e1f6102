package dev.tusk.internal.io;

import java.util.concurrent.atomic.LongAdder;

/** TEMPORARY diagnosis counters (not to be committed). */
public final class LoopStats {
    public static final LongAdder turns = new LongAdder();
    public static final LongAdder blockingSelects = new LongAdder();
    public static final LongAdder keys = new LongAdder();
    public static final LongAdder tasks = new LongAdder();
    public static final LongAdder wakeups = new LongAdder();
    public static final LongAdder sends = new LongAdder();
    public static final LongAdder sendsOffLoop = new LongAdder();
    public static final LongAdder sockWrites = new LongAdder();
    public static final LongAdder sockWritesOffLoop = new LongAdder();
    public static final LongAdder sockReads = new LongAdder();
    public static final LongAdder sockReadsData = new LongAdder();
    public static final LongAdder readFlushWrites = new LongAdder();
    public static final LongAdder executes = new LongAdder();
    public static final LongAdder tryRunHereOk = new LongAdder();

    public static final java.util.concurrent.ConcurrentLinkedQueue<EventLoopDriver> drivers = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public static String perDriver() {
        StringBuilder sb = new StringBuilder();
        for (EventLoopDriver d : drivers) {
            if (!d.isClosed()) {
                sb.append(' ').append(d.debugState());
            }
        }
        return sb.toString();
    }

    private LoopStats() {
    }

    public static long[] snapshot() {
        return new long[] {turns.sum(), blockingSelects.sum(), keys.sum(), tasks.sum(), wakeups.sum(), sends.sum(),
            sendsOffLoop.sum(), sockWrites.sum(), sockWritesOffLoop.sum(), sockReads.sum(), sockReadsData.sum(),
            readFlushWrites.sum(), executes.sum(), tryRunHereOk.sum()};
    }

    public static final String[] NAMES = {"turns", "blockSel", "keys", "tasks", "wakeups", "sends", "sendsOff",
        "sockW", "sockWOff", "sockR", "sockRData", "readFlushW", "executes", "runHere"};
}
