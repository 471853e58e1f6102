package dev.tusk.types;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link OffsetMemo} answers exactly as the zone's rules for every instant, in any order: at each transition (the
 * second before, the second itself, the second after), across the rule-based years after a zone's last explicit
 * transition, at the ends of PostgreSQL's range, and in zones with half-hour DST, negative DST, a skipped day and
 * local mean time.
 */
class OffsetMemoTest {
    private static final String[] ZONES = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Europe/Dublin",
            "Africa/Casablanca", "Pacific/Apia", "Europe/Amsterdam", "America/Sao_Paulo", "Asia/Kolkata",
            "America/St_Johns", "Antarctica/Troll", "Pacific/Kiritimati", "UTC"};
    /** PostgreSQL's timestamptz range, in epoch seconds. */
    private static final long MIN = LocalDateTime.of(-4713, 11, 24, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX = LocalDateTime.of(294276, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);

    /** Every transition of the zone up to 2100 (the rule-based ones included), as epoch seconds. */
    private static List<Long> transitions(ZoneRules rules) {
        List<Long> out = new ArrayList<>();
        ZoneOffsetTransition t = rules.nextTransition(Instant.ofEpochSecond(MIN));
        long end = LocalDateTime.of(2100, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
        while (t != null && t.toEpochSecond() < end) {
            out.add(t.toEpochSecond());
            t = rules.nextTransition(t.getInstant());
        }
        return out;
    }

    private static void expectSame(ZoneRules rules, OffsetMemo memo, long s) {
        assertThat(memo.offset(s)).as("%s at %s", rules, Instant.ofEpochSecond(s))
                .isEqualTo(rules.getOffset(Instant.ofEpochSecond(s)));
    }

    @Test
    void eachTransitionsNeighboursInOrderAndReversed() {
        for (String zone : ZONES) {
            ZoneRules rules = ZoneId.of(zone).getRules();
            List<Long> ts = transitions(rules);
            if (!zone.equals("UTC")) {
                assertThat(ts).as(zone).isNotEmpty();
            }
            OffsetMemo forward = new OffsetMemo(rules);
            for (long t : ts) {
                for (long d = -2; d <= 2; d++) {
                    expectSame(rules, forward, t + d);
                }
            }
            OffsetMemo backward = new OffsetMemo(rules);
            for (int i = ts.size() - 1; i >= 0; i--) {
                for (long d = 2; d >= -2; d--) {
                    expectSame(rules, backward, ts.get(i) + d);
                }
            }
        }
    }

    @Test
    void aWalkInSmallStepsAcrossYearsOfRules() {
        for (String zone : ZONES) {
            ZoneRules rules = ZoneId.of(zone).getRules();
            OffsetMemo memo = new OffsetMemo(rules);
            long start = LocalDateTime.of(2019, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
            long end = LocalDateTime.of(2045, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
            for (long s = start; s < end; s += 1799) { // about half-hourly, off the hour
                expectSame(rules, memo, s);
            }
        }
    }

    @Test
    void randomInstantsAndTheEndsOfTheRange() {
        Random random = new Random(46);
        for (String zone : ZONES) {
            ZoneRules rules = ZoneId.of(zone).getRules();
            OffsetMemo memo = new OffsetMemo(rules);
            for (long s : new long[] {MIN, MIN + 1, MAX, MAX - 1, 0, -1, Long.MIN_VALUE / 4, MAX, MIN}) {
                long clamped = Math.max(MIN, Math.min(MAX, s));
                expectSame(rules, memo, clamped);
            }
            List<Long> ts = transitions(rules);
            for (int k = 0; k < 20_000; k++) {
                long s = ts.isEmpty() || random.nextBoolean() ? MIN + (long) (random.nextDouble() * (MAX - MIN))
                        : ts.get(random.nextInt(ts.size())) + random.nextInt(7_200) - 3_600;
                expectSame(rules, memo, s);
            }
        }
    }
}
