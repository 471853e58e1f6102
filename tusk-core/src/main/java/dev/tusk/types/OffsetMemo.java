package dev.tusk.types;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * A zone's offset at an instant, remembering the period between two of the zone's transitions that the last
 * instant asked for lies in: the values of one result tend to share their offset period, and asking the zone's
 * rules (a search of its transitions, for recent years a cache of each year's transitions keyed by a boxed year)
 * is the costly part of a timestamptz shown in a zone with daylight saving or historic offsets. Safe across
 * threads, also when the memo itself is shared through a racy field: the remembered period is immutable, read once
 * per call and checked for null, and a lost update only costs a lookup.
 */
final class OffsetMemo {
    /**
     * The offset of every instant from {@code from} (inclusive) to {@code until} (exclusive), epoch seconds; {@code used}
     * once an instant after the one that found it fell in it (written once per period, racy but benign).
     */
    private static final class Period {
        final long from;
        final long until;
        final ZoneOffset offset;
        boolean used;

        Period(long from, long until, ZoneOffset offset) {
            this.from = from;
            this.until = until;
            this.offset = offset;
        }
    }

    /** Of the misses after a period that served no other instant, one in this many looks for a period again. */
    private static final int RETRY = 16;

    private final ZoneRules rules;
    private Period last;
    private int skipped;

    OffsetMemo(ZoneRules rules) {
        this.rules = rules;
    }

    /** The rules this memo answers for. */
    ZoneRules rules() {
        return rules;
    }

    /**
     * As {@code zone.getRules().getOffset(Instant.ofEpochSecond(epochSecond))}. Finding a period costs about three
     * lookups of the rules: while instants jump from period to period (values in no order of time), the rules are
     * asked for the offset alone, and a period is looked for again at one miss in {@link #RETRY}.
     */
    ZoneOffset offset(long epochSecond) {
        Period p = last; // null when this memo reached another thread through a racy field before its period did
        if (p != null && epochSecond >= p.from && epochSecond < p.until) {
            if (!p.used) {
                p.used = true;
            }
            return p.offset;
        }
        if (p != null && !p.used && ++skipped % RETRY != 0) {
            return rules.getOffset(Instant.ofEpochSecond(epochSecond));
        }
        p = period(epochSecond);
        last = p;
        return p.offset;
    }

    private Period period(long epochSecond) {
        Instant at = Instant.ofEpochSecond(epochSecond);
        ZoneOffset offset = rules.getOffset(at);
        // the transitions around it: the last at or before it (previousTransition answers strictly before the
        // instant given), and the first after it
        ZoneOffsetTransition before = epochSecond == Long.MAX_VALUE ? null
                : rules.previousTransition(Instant.ofEpochSecond(epochSecond + 1));
        ZoneOffsetTransition after = rules.nextTransition(at);
        long from = before == null ? Long.MIN_VALUE : before.toEpochSecond();
        long until = after == null ? Long.MAX_VALUE : after.toEpochSecond();
        if (from > epochSecond || until <= epochSecond) { // not expected of ZoneRules: remember nothing
            return new Period(epochSecond, epochSecond, offset);
        }
        return new Period(from, until, offset);
    }
}
