package dev.tusk.jdbc.internal;

import dev.tusk.Column;
import dev.tusk.Row;
import dev.tusk.errors.DataException;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Result columns in binary format that was asked for ({@code binaryTransfer=true}: every column of the connection's
 * statements): every getter answers as with text, {@link #text} writing a binary value as the server's text output
 * (DateStyle ISO) would have. (Tusk's automatic format, the default, only receives in binary what reads the same.)
 */
final class BinaryResults {
    private BinaryResults() {
    }

    /**
     * The server's text output for the binary, non-null value of column {@code i}: exact for integers, text types,
     * bool, numeric, uuid, date, timestamp and timestamptz; other types give their Java value's text.
     */
    static String text(Row r, int i, Column c) {
        int oid = c.typeOid();
        Object v;
        try {
            v = r.get(i);
        } catch (DataException e) {
            // the only values of these types without a Java value: a date or timestamp's ±infinity
            if (oid == TypeMap.DATE || oid == TypeMap.TIMESTAMP || oid == TypeMap.TIMESTAMPTZ) {
                String m = String.valueOf(e.getMessage());
                return m.contains(" -infinity ") ? "-infinity" : "infinity";
            }
            // and a numeric's NaN, Infinity, -Infinity (BigDecimal has none): "numeric value NaN cannot be loaded..."
            String m = String.valueOf(e.getMessage());
            if (oid == TypeMap.NUMERIC && m.startsWith("numeric value ")) {
                for (String special : new String[] {"NaN", "Infinity", "-Infinity"}) {
                    if (m.startsWith("numeric value " + special + " ") || m.startsWith("numeric value is " + special + ",")) {
                        return special;
                    }
                }
            }
            throw e;
        }
        if (v != null && (v.equals(OffsetDateTime.MAX) || v.equals(LocalDateTime.MAX) || v.equals(LocalDate.MAX))) {
            return "infinity"; // DateTimeAdapters.mapInfinity registered on the connection
        }
        if (v != null && (v.equals(OffsetDateTime.MIN) || v.equals(LocalDateTime.MIN) || v.equals(LocalDate.MIN))) {
            return "-infinity";
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString(); // the scale is the value's display scale: as the server writes it
        }
        if (v instanceof OffsetDateTime t) {
            StringBuilder sb = new StringBuilder(32);
            boolean bc = dateTime(sb, t.toLocalDateTime());
            offset(sb, t.getOffset());
            return bc ? sb.append(" BC").toString() : sb.toString();
        }
        if (v instanceof LocalDateTime t) {
            StringBuilder sb = new StringBuilder(32);
            return dateTime(sb, t) ? sb.append(" BC").toString() : sb.toString();
        }
        if (v instanceof LocalDate d) {
            StringBuilder sb = new StringBuilder(16);
            return date(sb, d) ? sb.append(" BC").toString() : sb.toString();
        }
        return String.valueOf(v); // integers, strings, uuid (lower case, as the server), numeric NaN/±Infinity
    }

    /** {@code yyyy-mm-dd} (years before 1 counted as the server does, with BC), and whether BC. */
    private static boolean date(StringBuilder sb, LocalDate d) {
        int y = d.getYear();
        boolean bc = y <= 0;
        pad(sb, bc ? 1 - y : y, 4).append('-');
        pad(sb, d.getMonthValue(), 2).append('-');
        pad(sb, d.getDayOfMonth(), 2);
        return bc;
    }

    private static boolean dateTime(StringBuilder sb, LocalDateTime t) {
        boolean bc = date(sb, t.toLocalDate());
        LocalTime time = t.toLocalTime();
        sb.append(' ');
        pad(sb, time.getHour(), 2).append(':');
        pad(sb, time.getMinute(), 2).append(':');
        pad(sb, time.getSecond(), 2);
        int micros = time.getNano() / 1000;
        if (micros != 0) {
            int digits = 6;
            while (micros % 10 == 0) {
                micros /= 10;
                digits--;
            }
            sb.append('.');
            pad(sb, micros, digits);
        }
        return bc;
    }

    /** {@code +hh}, {@code +hh:mm} or {@code +hh:mm:ss}, as the server writes a UTC offset. */
    private static void offset(StringBuilder sb, ZoneOffset o) {
        int total = o.getTotalSeconds();
        sb.append(total < 0 ? '-' : '+');
        total = Math.abs(total);
        pad(sb, total / 3600, 2);
        int minutes = total / 60 % 60;
        int seconds = total % 60;
        if (minutes != 0 || seconds != 0) {
            sb.append(':');
            pad(sb, minutes, 2);
            if (seconds != 0) {
                sb.append(':');
                pad(sb, seconds, 2);
            }
        }
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int k = s.length(); k < width; k++) {
            sb.append('0');
        }
        return sb.append(s);
    }
}
