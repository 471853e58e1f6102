package dev.tusk.bench;

/** Fails a benchmark whose client computed a wrong result: a fast wrong client must not win. */
final class Checks {
    private Checks() {
    }

    static void expect(String what, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": expected checksum " + expected + " but the client computed " + actual);
        }
    }

    /** The server's own checksum of bench_wide, as each client computes it. */
    static long wideChecksum() {
        long sum = 0;
        for (long g = 1; g <= BenchServer.WIDE_ROWS; g++) {
            String b = "text value number " + g;
            long e = (g * 125) / 100; // numeric(12,2) g*1.25, integer part
            sum += g + b.length() + (g % 1000) + e + (g % 2 == 0 ? 1 : 0);
        }
        return sum;
    }
}
