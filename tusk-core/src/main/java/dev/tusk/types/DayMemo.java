package dev.tusk.types;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

/**
 * The last LocalDate a loader made, to make it again for free: the values of one result tend to share their
 * day, and building a LocalDate (from a day number, or from validated fields) is the costly part of a
 * timestamp. Safe across threads: the remembered day is immutable, and a lost update only costs a
 * recomputation.
 */
final class DayMemo {
    private static final int SECONDS_PER_DAY = 86_400;

    /** {@code key}: the epoch day, or the packed year-month-day; the two are never mixed in one memo. */
    private record Day(long key, LocalDate date) {
    }

    private Day last = new Day(Long.MIN_VALUE, LocalDate.EPOCH);

    /** As {@code LocalDateTime.ofEpochSecond(epochSecond, nanos, ZoneOffset.UTC)}. */
    LocalDateTime localDateTime(long epochSecond, int nanos) {
        long epochDay = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(epochSecond, SECONDS_PER_DAY);
        Day d = last;
        if (d.key() != epochDay) {
            d = new Day(epochDay, LocalDate.ofEpochDay(epochDay));
            last = d;
        }
        return LocalDateTime.of(d.date(), LocalTime.ofNanoOfDay(secondOfDay * 1_000_000_000L + nanos));
    }

    /** As {@code LocalDate.of(year, month, day)} (which throws DateTimeException for an invalid date). */
    LocalDate date(int year, int month, int day) {
        long key = ((long) year << 9) | (month << 5) | day;
        Day d = last;
        if (d.key() != key) {
            d = new Day(key, LocalDate.of(year, month, day));
            last = d;
        }
        return d.date();
    }
}
