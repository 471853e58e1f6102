package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.time.Duration;
import java.time.Period;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL interval: months, days and microseconds, kept apart as the server keeps them (a month is
 * not a fixed number of days, a day not always 24 hours across a DST change).
 *
 * <pre>{@code
 * Interval i = Interval.parse("1 year 2 mons 3 days 04:05:06.5");
 * i.toPeriod();    // P1Y2M3D
 * i.toDuration();  // PT4H5M6.5S plus 3 days of 24h and 14 months of 30 days: see toDuration()
 * }</pre>
 *
 * @param months       years × 12 + months
 * @param days         days
 * @param microseconds the time part
 */
public record Interval(int months, int days, long microseconds) {
    /** An interval from a date-based period (years, months, days) and a time-based duration. */
    public static Interval of(Period period, Duration duration) {
        long months = period.toTotalMonths();
        long micros;
        try {
            micros = Math.addExact(Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1000);
        } catch (ArithmeticException e) {
            // an interval keeps its time part in 64-bit microseconds: about 292,000 years either way
            throw new DataException("the duration " + duration + " does not fit an interval: PostgreSQL keeps the time"
                    + " part in 64-bit microseconds (up to about 292,000 years); give the long part as a Period (years,"
                    + " months, days)", e);
        }
        if (months != (int) months) {
            throw new DataException("the period " + period + " does not fit an interval: it has " + months
                    + " months, more than an int32 holds");
        }
        return new Interval((int) months, period.getDays(), micros);
    }

    /** An interval of {@code duration}, all in the time part. */
    public static Interval of(Duration duration) {
        return of(Period.ZERO, duration);
    }

    /** The years, months and days; the time part is dropped. */
    public Period toPeriod() {
        return Period.of(months / 12, months % 12, days);
    }

    /** The time part only. */
    public Duration timePart() {
        return Duration.ofSeconds(Math.floorDiv(microseconds, 1_000_000L), Math.floorMod(microseconds, 1_000_000L) * 1000);
    }

    /**
     * The whole interval as a duration, with PostgreSQL's own conventions (as {@code EXTRACT(epoch FROM ...)}):
     * a day is 24 hours and a month 30 days.
     */
    public Duration toDuration() {
        return timePart().plusDays(days).plusDays(30L * months);
    }

    private static final long MICROS_PER_HOUR = 3_600_000_000L;

    /**
     * The interval in a form every IntervalStyle and every server from PostgreSQL 13 accepts as input:
     * {@code +14 mons +3 days +1:06:45.006}. Each field carries its sign, so that under IntervalStyle
     * {@code sql_standard} a leading minus does not spread to the others; the time part is written as
     * {@code H:MM:SS.ffffff}, which servers before 15 read in 64 bits (they read a count of microseconds in 32).
     * Past 2<sup>31</sup> hours (about 245,000 years), which no form of text input reaches there, it is written
     * in microseconds, which PostgreSQL 15 and later read.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(40);
        signed(sb, months).append(" mons ");
        signed(sb, days).append(" days ");
        long hours = microseconds / MICROS_PER_HOUR;
        if (hours > Integer.MAX_VALUE || hours < Integer.MIN_VALUE) {
            return signed(sb, microseconds).append(" microseconds").toString();
        }
        long rest = Math.abs(microseconds % MICROS_PER_HOUR);
        sb.append(microseconds < 0 ? '-' : '+').append(Math.abs(hours)).append(':');
        twoDigits(sb, rest / 60_000_000L).append(':');
        twoDigits(sb, rest / 1_000_000L % 60);
        long fraction = rest % 1_000_000L;
        if (fraction != 0) {
            String digits = Long.toString(1_000_000L + fraction); // "1" and six digits
            sb.append('.').append(digits, 1, digits.length());
        }
        return sb.toString();
    }

    private static StringBuilder signed(StringBuilder sb, long n) {
        return (n < 0 ? sb : sb.append('+')).append(n);
    }

    private static StringBuilder twoDigits(StringBuilder sb, long n) {
        return (n < 10 ? sb.append('0') : sb).append(n);
    }

    private static final Pattern ISO = Pattern.compile(
            "P(?:([+-]?\\d+)Y)?(?:([+-]?\\d+)M)?(?:([+-]?\\d+)W)?(?:([+-]?\\d+)D)?"
                    + "(?:T(?:([+-]?\\d+)H)?(?:([+-]?\\d+)M)?(?:([+-]?\\d+(?:\\.\\d+)?)S)?)?");
    private static final Pattern HMS = Pattern.compile("([+-]?)(\\d+):(\\d+)(?::(\\d+)(?:\\.(\\d+))?)?");
    private static final Pattern YM = Pattern.compile("([+-]?)(\\d+)-(\\d+)");

    /**
     * Parses the interval output of any IntervalStyle: {@code postgres} ({@code 1 year 2 mons 3 days 04:05:06}),
     * {@code postgres_verbose} ({@code @ 1 year 2 mons -3 days ago}), {@code sql_standard} ({@code 1-2 3 4:05:06})
     * and {@code iso_8601} ({@code P1Y2M3DT4H5M6S}).
     */
    public static Interval parse(String text) {
        String s = text.trim();
        try {
            if (s.startsWith("P")) {
                return parseIso(s, text);
            }
            return parseWords(s, text);
        } catch (NumberFormatException | ArithmeticException e) {
            throw Wire.bad("interval", text, e);
        }
    }

    private static Interval parseIso(String s, String text) {
        Matcher m = ISO.matcher(s);
        if (!m.matches()) {
            throw Wire.bad("interval", text);
        }
        long months = 12 * num(m.group(1)) + num(m.group(2));
        long days = 7 * num(m.group(3)) + num(m.group(4));
        long micros = num(m.group(5)) * 3_600_000_000L + num(m.group(6)) * 60_000_000L + seconds(m.group(7));
        return new Interval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }

    private static long num(String g) {
        return g == null ? 0 : Long.parseLong(g);
    }

    /** Seconds with an optional fraction, to microseconds, keeping the sign on the fraction. */
    private static long seconds(String g) {
        if (g == null) {
            return 0;
        }
        boolean neg = g.startsWith("-");
        String abs = neg || g.startsWith("+") ? g.substring(1) : g;
        int dot = abs.indexOf('.');
        long whole = Long.parseLong(dot < 0 ? abs : abs.substring(0, dot));
        long frac = 0;
        if (dot >= 0) {
            String f = (abs.substring(dot + 1) + "000000").substring(0, 6);
            frac = Long.parseLong(f);
        }
        long v = whole * 1_000_000L + frac;
        return neg ? -v : v;
    }

    private static Interval parseWords(String s, String text) {
        boolean verbose = s.startsWith("@");
        if (verbose) {
            s = s.substring(1).trim();
        }
        boolean ago = false;
        if (s.endsWith(" ago") || s.equals("ago")) {
            ago = true;
            s = s.substring(0, s.length() - 3).trim();
        }
        String[] tok = s.isEmpty() ? new String[0] : s.split("\\s+");
        long months = 0, days = 0, micros = 0;
        boolean sqlStandard = false; // bare day numbers or Y-M fields
        boolean anyExplicitSign = false;
        for (int i = 1; i < tok.length; i++) {
            anyExplicitSign |= tok[i].startsWith("+") || tok[i].startsWith("-");
        }
        boolean leadingMinus = tok.length > 0 && tok[0].startsWith("-");
        for (int i = 0; i < tok.length; i++) {
            String t = tok[i];
            Matcher hms = HMS.matcher(t);
            Matcher ym = YM.matcher(t);
            if (hms.matches()) {
                long v = Long.parseLong(hms.group(2)) * 3_600_000_000L + Long.parseLong(hms.group(3)) * 60_000_000L
                        + (hms.group(4) == null ? 0 : seconds(hms.group(4) + (hms.group(5) == null ? "" : "." + hms.group(5))));
                micros += hms.group(1).equals("-") ? -v : v;
            } else if (ym.matches()) {
                sqlStandard = true;
                long v = Long.parseLong(ym.group(2)) * 12 + Long.parseLong(ym.group(3));
                months += ym.group(1).equals("-") ? -v : v;
            } else if (i + 1 < tok.length && Character.isLetter(tok[i + 1].charAt(0))) {
                String unit = tok[++i].toLowerCase(Locale.ROOT);
                if (unit.startsWith("sec") || unit.startsWith("min") || unit.startsWith("hour")
                        || unit.startsWith("milli") || unit.startsWith("micro")) {
                    long us = seconds(t);
                    micros += unit.startsWith("sec") ? us : unit.startsWith("min") ? us * 60
                            : unit.startsWith("hour") ? us * 3600 : unit.startsWith("milli") ? us / 1000 : us / 1_000_000;
                } else {
                    long v = Long.parseLong(t);
                    if (unit.startsWith("year")) {
                        months += 12 * v;
                    } else if (unit.startsWith("mon")) {
                        months += v;
                    } else if (unit.startsWith("week")) {
                        days += 7 * v;
                    } else if (unit.startsWith("day")) {
                        days += v;
                    } else if (unit.startsWith("century")) {
                        months += 1200 * v;
                    } else if (unit.startsWith("decade")) {
                        months += 120 * v;
                    } else if (unit.startsWith("millenni")) {
                        months += 12000 * v;
                    } else {
                        throw Wire.bad("interval", text);
                    }
                }
            } else if (t.matches("[+-]?\\d+")) {
                sqlStandard = true; // "3 4:05:06": a bare number is days
                days += Long.parseLong(t);
            } else {
                throw Wire.bad("interval", text);
            }
        }
        if (sqlStandard && leadingMinus && !anyExplicitSign && tok.length > 1) {
            // sql_standard writes "-3 4:05:06" for an all-negative interval: the leading sign covers every field
            micros = -micros;
        }
        if (ago) {
            months = -months;
            days = -days;
            micros = -micros;
        }
        return new Interval(Math.toIntExact(months), Math.toIntExact(days), micros);
    }
}
