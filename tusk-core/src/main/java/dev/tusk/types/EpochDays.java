package dev.tusk.types;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

/**
 * Local date-times from epoch seconds, remembering the last date: the values of one result tend to share
 * their day, and turning a day number into a LocalDate is the costly part. Safe across threads (the
 * remembered day is immutable; a lost update only costs a recomputation).
 */
final class EpochDays {
    private static final int SECONDS_PER_DAY = 86_400;

    private record Day(long epochDay, LocalDate date) {
    }

    private Day last = new Day(0, LocalDate.EPOCH);

    /** As {@code LocalDateTime.ofEpochSecond(epochSecond, nanos, ZoneOffset.UTC)}. */
    LocalDateTime localDateTime(long epochSecond, int nanos) {
        long epochDay = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(epochSecond, SECONDS_PER_DAY);
        Day d = last;
        if (d.epochDay() != epochDay) {
            d = new Day(epochDay, LocalDate.ofEpochDay(epochDay));
            last = d;
        }
        return LocalDateTime.of(d.date(), LocalTime.ofNanoOfDay(secondOfDay * 1_000_000_000L + nanos));
    }
}
