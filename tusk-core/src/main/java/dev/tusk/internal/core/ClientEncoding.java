package dev.tusk.internal.core;

import dev.tusk.errors.OperationalException;

import java.util.Locale;

/**
 * Tusk speaks UTF-8 only, as pgjdbc: every Java string is sent and read as UTF-8, and the SQL quoting of
 * {@code dev.tusk.sql} is only safe in UTF-8. A session whose {@code client_encoding} is anything else would
 * read and write text wrongly (and, in encodings such as SJIS, a quoted literal can end early), so a
 * connection whose server reports another encoding is broken at once, and a connection string asking for one
 * is refused before connecting.
 */
public final class ClientEncoding {
    private ClientEncoding() {
    }

    /**
     * Whether {@code name} is an encoding name PostgreSQL reads as UTF-8, compared as the server does (case
     * and punctuation ignored): {@code UTF8}, {@code utf-8}, {@code Unicode}.
     */
    public static boolean isUtf8(String name) {
        if (name == null) {
            return false;
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                sb.append(c);
            }
        }
        String n = sb.toString().toLowerCase(Locale.ROOT);
        return n.equals("utf8") || n.equals("unicode");
    }

    /** The error that breaks a connection whose server reported {@code client_encoding} {@code value}. */
    static OperationalException changed(String value) {
        return new OperationalException("the server's client_encoding was changed to " + value
                + " (by SET client_encoding, set_config() or a function's SET clause); Tusk requires client_encoding"
                + " UTF8 for correct operation (text in another encoding would be misread and misquoted): do not change"
                + " client_encoding; the connection is broken, open a new one");
    }
}
