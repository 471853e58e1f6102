package dev.tusk.replication;

import java.time.Instant;

/** PostgreSQL's timestamps on the replication protocol: microseconds since 2000-01-01 00:00 UTC. */
final class PgTime {
    /** 2000-01-01 00:00 UTC in Unix epoch seconds. */
    private static final long EPOCH_2000 = 946_684_800L;

    private PgTime() {
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(EPOCH_2000 + Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return (now.getEpochSecond() - EPOCH_2000) * 1_000_000L + now.getNano() / 1000;
    }
}
