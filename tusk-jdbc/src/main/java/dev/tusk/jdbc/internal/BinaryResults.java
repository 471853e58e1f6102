package dev.tusk.jdbc.internal;

import dev.tusk.Column;
import dev.tusk.Row;
import dev.tusk.types.ResultFormats;

import java.time.ZoneId;

/**
 * Result columns in binary format that was asked for ({@code binaryTransfer=true}: every column of the connection's
 * statements): every getter answers as with text, {@link #text} giving the server's text output (DateStyle ISO) of
 * a binary value, rebuilt by Tusk's {@link ResultFormats}. (Tusk's automatic format, the default, only receives in
 * binary what reads the same.)
 */
final class BinaryResults {
    private BinaryResults() {
    }

    /**
     * The server's text output for the binary, non-null value of column {@code i}: exact for integers, text types,
     * bool, numeric (NaN and ±Infinity included), uuid, date, time, timetz, timestamp and timestamptz (±infinity
     * included; in the session time zone {@code zone}); other types give their Java value's text.
     */
    static String text(Row r, int i, Column c, ZoneId zone) {
        int oid = c.typeOid();
        if (ResultFormats.hasText(oid)) {
            byte[] b = r.wireBytes(i);
            return ResultFormats.text(oid, b, 0, b.length, zone);
        }
        return String.valueOf(r.get(i)); // oid (unsigned), float8 and the other types: their Java value
    }
}
