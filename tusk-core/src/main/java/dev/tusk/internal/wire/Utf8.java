package dev.tusk.internal.wire;

import dev.tusk.errors.DataException;

import java.nio.charset.StandardCharsets;

/**
 * Java Strings to UTF-8 for the wire, refusing what is not valid Unicode. The JDK's encoder replaces a lone
 * UTF-16 surrogate with '?', which would store a different string without a word: here it is an error
 * that says where (trust #9).
 */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * The UTF-8 bytes of {@code s}.
     *
     * @param what what the string is, for the error ("parameter $2", "the COPY data"...)
     * @throws DataException when {@code s} holds a lone surrogate
     */
    public static byte[] encode(String s, String what) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        // A lone surrogate becomes one '?': when every char gave one byte, only a '?' can hide one (the
        // ASCII fast path scans bytes, not chars); otherwise there is non-ASCII text, scanned for them.
        if (b.length != s.length() || hasQuestionMark(b)) {
            check(s, what);
        }
        return b;
    }

    private static boolean hasQuestionMark(byte[] b) {
        for (byte x : b) {
            if (x == '?') {
                return true;
            }
        }
        return false;
    }

    /** Raises {@link DataException} when {@code s} holds a surrogate that is not half of a pair. */
    public static void check(CharSequence s, String what) {
        int bad = loneSurrogate(s);
        if (bad >= 0) {
            throw notUnicode(s, bad, what);
        }
    }

    /** The index of the first lone surrogate in {@code s}, or -1. */
    public static int loneSurrogate(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    public static DataException notUnicode(CharSequence s, int at, String what) {
        return new DataException(what + " is not valid Unicode: it has a lone surrogate \\u"
                + String.format("%04X", (int) s.charAt(at)) + " at index " + at + " (of " + s.length()
                + " chars), which UTF-8 cannot encode; fix the string where it was made (a surrogate pair cut in two?)");
    }
}
