package dev.tusk.testing;

import java.util.Locale;

/** Turns test names into PostgreSQL database names that are readable, unique and at most 63 bytes. */
final class DatabaseNames {

    private static final int MAX_IDENTIFIER_BYTES = 63;

    private DatabaseNames() {
    }

    /** E.g. {@code ("MyTest.works()", 4242, 7)} gives {@code t_mytest_works_4242_7}. */
    static String unique(String label, long pid, int counter) {
        String suffix = "_" + pid + "_" + counter;
        StringBuilder readable = new StringBuilder("t_");
        boolean lastUnderscore = true;
        for (char c : label.toLowerCase(Locale.ROOT).toCharArray()) {
            boolean keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (keep) {
                readable.append(c);
                lastUnderscore = false;
            } else if (!lastUnderscore) {
                readable.append('_');
                lastUnderscore = true;
            }
        }
        int room = MAX_IDENTIFIER_BYTES - suffix.length();
        if (readable.length() > room) {
            readable.setLength(room);
        }
        while (readable.charAt(readable.length() - 1) == '_') {
            readable.setLength(readable.length() - 1);
        }
        return readable + suffix;
    }
}
