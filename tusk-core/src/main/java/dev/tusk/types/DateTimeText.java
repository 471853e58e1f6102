package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Parses and writes the ISO text forms PostgreSQL uses with {@code DateStyle=ISO}:
 * {@code 2024-01-31}, {@code 12:34:56.123456}, {@code 2024-01-31 12:34:56.5+05:30}, {@code 0044-03-15 BC},
 * years past 9999 ({@code 294276-12-31}). Java years count 0 as 1 BC, PostgreSQL has no year 0.
 */
final class DateTimeText {
    private DateTimeText() {
    }

    /** A parse position over one string. */
    private static final class Cursor {
        final CharSequence s;
        int pos;
        final int end;

        Cursor(CharSequence s, int end) {
            this.s = s;
            this.end = end;
        }

        int digits(int min, int max, String type) {
            int start = pos;
            int v = 0;
            while (pos < end && pos - start < max) {
                char c = s.charAt(pos);
                if (c < '0' || c > '9') {
                    break;
                }
                v = v * 10 + (c - '0');
                pos++;
            }
            if (pos - start < min) {
                throw bad(type, s);
            }
            return v;
        }

        void expect(char c, String type) {
            if (pos >= end || s.charAt(pos) != c) {
                throw bad(type, s);
            }
            pos++;
        }

        boolean at(char c) {
            return pos < end && s.charAt(pos) == c;
        }
    }

    static DataException bad(String type, CharSequence s) {
        return new DataException("cannot parse " + type + " value \"" + s
                + "\": Tusk reads dates and times in DateStyle ISO (the connection sets it; do not change it)");
    }

    private static int bcEnd(CharSequence s) {
        int n = s.length();
        return n >= 3 && s.charAt(n - 3) == ' ' && s.charAt(n - 2) == 'B' && s.charAt(n - 1) == 'C' ? n - 3 : -1;
    }

    private static int year(int y, boolean bc) {
        return bc ? 1 - y : y;
    }

    static LocalDate parseDate(CharSequence s) {
        int bcEnd = bcEnd(s);
        Cursor c = new Cursor(s, bcEnd < 0 ? s.length() : bcEnd);
        LocalDate d = date(c, bcEnd >= 0, "date");
        if (c.pos != c.end) {
            throw bad("date", s);
        }
        return d;
    }

    private static LocalDate date(Cursor c, boolean bc, String type) {
        int y = c.digits(4, 9, type);
        c.expect('-', type);
        int m = c.digits(2, 2, type);
        c.expect('-', type);
        int d = c.digits(2, 2, type);
        try {
            return LocalDate.of(year(y, bc), m, d);
        } catch (DateTimeException e) {
            throw bad(type, c.s);
        }
    }

    /** HH:MM:SS[.ffffff]; 24:00:00 (a valid PostgreSQL time) loads as LocalTime.MAX. */
    private static LocalTime time(Cursor c, String type) {
        int h = c.digits(2, 2, type);
        c.expect(':', type);
        int mi = c.digits(2, 2, type);
        c.expect(':', type);
        int sec = c.digits(2, 2, type);
        int nanos = 0;
        if (c.at('.')) {
            c.pos++;
            int start = c.pos;
            int frac = c.digits(1, 9, type);
            for (int i = c.pos - start; i < 9; i++) {
                frac *= 10;
            }
            nanos = frac;
        }
        if (h == 24 && mi == 0 && sec == 0 && nanos == 0) {
            return LocalTime.MAX;
        }
        try {
            return LocalTime.of(h, mi, sec, nanos);
        } catch (DateTimeException e) {
            throw bad(type, c.s);
        }
    }

    /** [+-]HH[:MM[:SS]] */
    private static ZoneOffset offset(Cursor c, String type) {
        if (!c.at('+') && !c.at('-')) {
            throw bad(type, c.s);
        }
        int sign = c.s.charAt(c.pos) == '-' ? -1 : 1;
        c.pos++;
        int h = c.digits(2, 2, type);
        int m = 0, sec = 0;
        if (c.at(':')) {
            c.pos++;
            m = c.digits(2, 2, type);
            if (c.at(':')) {
                c.pos++;
                sec = c.digits(2, 2, type);
            }
        }
        return offset(sign * (h * 3600 + m * 60 + sec));
    }

    static LocalTime parseTime(CharSequence s) {
        Cursor c = new Cursor(s, s.length());
        LocalTime t = time(c, "time");
        if (c.pos != c.end) {
            throw bad("time", s);
        }
        return t;
    }

    static OffsetTime parseTimeTz(CharSequence s) {
        Cursor c = new Cursor(s, s.length());
        LocalTime t = time(c, "timetz");
        ZoneOffset o = offset(c, "timetz");
        if (c.pos != c.end) {
            throw bad("timetz", s);
        }
        return OffsetTime.of(t, o);
    }

    static LocalDateTime parseTimestamp(CharSequence s) {
        int bcEnd = bcEnd(s);
        Cursor c = new Cursor(s, bcEnd < 0 ? s.length() : bcEnd);
        LocalDate d = date(c, bcEnd >= 0, "timestamp");
        c.expect(' ', "timestamp");
        LocalTime t = time(c, "timestamp");
        if (c.pos != c.end) {
            throw bad("timestamp", s);
        }
        return t == LocalTime.MAX ? d.plusDays(1).atStartOfDay() : LocalDateTime.of(d, t);
    }

    static OffsetDateTime parseTimestampTz(CharSequence s) {
        int bcEnd = bcEnd(s);
        Cursor c = new Cursor(s, bcEnd < 0 ? s.length() : bcEnd);
        LocalDate d = date(c, bcEnd >= 0, "timestamptz");
        c.expect(' ', "timestamptz");
        LocalTime t = time(c, "timestamptz");
        ZoneOffset o = offset(c, "timestamptz");
        if (c.pos != c.end) {
            throw bad("timestamptz", s);
        }
        return t == LocalTime.MAX ? d.plusDays(1).atStartOfDay().atOffset(o) : OffsetDateTime.of(d, t, o);
    }

    /**
     * The common timestamptz text, {@code YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]]}, read straight from the
     * bytes without a CharSequence; null for any other form (BC, years past 9999, 24:00:00, malformed), which
     * {@link #parseTimestampTz} then reads or rejects with its message.
     */
    static OffsetDateTime fastTimestampTz(byte[] a, int off, int len, DayMemo days) {
        int end = off + len;
        if (len < 22 || a[off + 4] != '-' || a[off + 7] != '-' || a[off + 10] != ' ' || a[off + 13] != ':'
                || a[off + 16] != ':') {
            return null;
        }
        int y = two(a, off) * 100 + two(a, off + 2);
        int mo = two(a, off + 5);
        int d = two(a, off + 8);
        int h = two(a, off + 11);
        int mi = two(a, off + 14);
        int sec = two(a, off + 17);
        int p = off + 19;
        int nanos = 0;
        if (a[p] == '.') {
            int start = ++p;
            while (p < end && p - start < 9 && a[p] >= '0' && a[p] <= '9') {
                nanos = nanos * 10 + (a[p++] - '0');
            }
            if (p == start) {
                return null;
            }
            for (int i = p - start; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (end - p < 3 || (a[p] != '+' && a[p] != '-')) {
            return null;
        }
        int sign = a[p] == '-' ? -1 : 1;
        int offset = two(a, p + 1) * 3600;
        p += 3;
        for (int unit = 60; p < end && unit >= 1; unit /= 60) {
            if (end - p < 3 || a[p] != ':') {
                return null;
            }
            offset += two(a, p + 1) * unit;
            p += 3;
        }
        if (p != end || (y | mo | d | h | mi | sec | offset) < 0 || h > 23) {
            return null;
        }
        try {
            return OffsetDateTime.of(LocalDateTime.of(days.date(y, mo, d), LocalTime.of(h, mi, sec, nanos)), offset(sign * offset));
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Two ASCII digits as a number, or a negative number when either is not a digit. */
    private static int two(byte[] a, int i) {
        int hi = a[i] - '0';
        int lo = a[i + 1] - '0';
        return (hi | lo | (9 - hi) | (9 - lo)) < 0 ? -1000 : hi * 10 + lo;
    }

    /** Offsets that are whole quarter hours, made once: ZoneOffset.ofTotalSeconds boxes and looks them up in a map. */
    private static final ZoneOffset[] QUARTER_HOURS = new ZoneOffset[18 * 4 * 2 + 1];

    private static ZoneOffset offset(int totalSeconds) {
        if (totalSeconds % 900 != 0 || Math.abs(totalSeconds) > 18 * 3600) {
            return ZoneOffset.ofTotalSeconds(totalSeconds);
        }
        int i = totalSeconds / 900 + 18 * 4;
        ZoneOffset o = QUARTER_HOURS[i];
        if (o == null) {
            o = ZoneOffset.ofTotalSeconds(totalSeconds);
            QUARTER_HOURS[i] = o; // a benign race: ZoneOffsets are immutable and equal
        }
        return o;
    }

    // ---- writing ----

    static StringBuilder appendDate(StringBuilder sb, LocalDate d) {
        int y = d.getYear();
        int pgYear = y > 0 ? y : 1 - y;
        String ys = Integer.toString(pgYear);
        for (int i = ys.length(); i < 4; i++) {
            sb.append('0');
        }
        sb.append(ys).append('-');
        two(sb, d.getMonthValue()).append('-');
        return two(sb, d.getDayOfMonth());
    }

    static StringBuilder appendTime(StringBuilder sb, LocalTime t) {
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond());
        int nanos = t.getNano();
        if (nanos != 0) {
            String f = Integer.toString(nanos + 1_000_000_000).substring(1);
            int end = 9;
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end); // the server rounds to microseconds
        }
        return sb;
    }

    static StringBuilder appendOffset(StringBuilder sb, ZoneOffset o) {
        int total = o.getTotalSeconds();
        sb.append(total < 0 ? '-' : '+');
        total = Math.abs(total);
        two(sb, total / 3600).append(':');
        two(sb, total / 60 % 60);
        if (total % 60 != 0) {
            sb.append(':');
            two(sb, total % 60);
        }
        return sb;
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        return sb.append(v);
    }

    static String formatDate(LocalDate d) {
        StringBuilder sb = appendDate(new StringBuilder(16), d);
        return d.getYear() <= 0 ? sb.append(" BC").toString() : sb.toString();
    }

    static String formatTime(LocalTime t) {
        return appendTime(new StringBuilder(16), t).toString();
    }

    static String formatTimeTz(OffsetTime t) {
        return appendOffset(appendTime(new StringBuilder(24), t.toLocalTime()), t.getOffset()).toString();
    }

    static String formatTimestamp(LocalDateTime t) {
        StringBuilder sb = appendDate(new StringBuilder(32), t.toLocalDate()).append(' ');
        appendTime(sb, t.toLocalTime());
        return t.getYear() <= 0 ? sb.append(" BC").toString() : sb.toString();
    }

    static String formatTimestampTz(OffsetDateTime t) {
        StringBuilder sb = appendDate(new StringBuilder(40), t.toLocalDate()).append(' ');
        appendOffset(appendTime(sb, t.toLocalTime()), t.getOffset());
        return t.getYear() <= 0 ? sb.append(" BC").toString() : sb.toString();
    }
}
