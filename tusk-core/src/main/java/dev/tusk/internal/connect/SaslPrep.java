package dev.tusk.internal.connect;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * SASLprep (RFC 4013, the RFC 3454 stringprep profile for passwords) as PostgreSQL applies it to SCRAM
 * passwords, on the client as on the server, so that both derive the same key:
 * <ul>
 *   <li>an all-ASCII password is used as is (control characters included);</li>
 *   <li>otherwise non-ASCII spaces become U+0020, "commonly mapped to nothing" characters are dropped,
 *       and the result is NFKC-normalized;</li>
 *   <li>if the mapped password is empty, contains a prohibited or unassigned (Unicode 3.2) code point, or
 *       breaks the bidirectional rules, or is not valid Unicode, SASLprep fails and PostgreSQL uses the
 *       password's raw UTF-8 bytes instead of an error. Like PostgreSQL, the prohibition and bidi checks
 *       look at the mapped string before normalization.</li>
 * </ul>
 */
final class SaslPrep {
    private SaslPrep() {
    }

    /** The bytes SCRAM hashes for {@code password}: the SASLprep'ed UTF-8, or the raw UTF-8 when SASLprep fails. */
    static byte[] passwordBytes(String password) {
        String prepared = prepare(password);
        return (prepared != null ? prepared : password).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code password} after SASLprep, or null when SASLprep rejects it (the caller then uses the raw password). */
    static String prepare(String password) {
        if (isAscii(password)) {
            return password;
        }
        int[] mapped = map(password);
        if (mapped == null || mapped.length == 0) {
            return null; // not valid Unicode (lone surrogate), or nothing left: PostgreSQL refuses an empty result
        }
        for (int cp : mapped) {
            if (StringPrepTables.contains(StringPrepTables.PROHIBITED, cp)
                    || StringPrepTables.contains(StringPrepTables.UNASSIGNED, cp)) {
                return null;
            }
        }
        if (!bidiAcceptable(mapped)) {
            return null;
        }
        return Normalizer.normalize(new String(mapped, 0, mapped.length), Normalizer.Form.NFKC);
    }

    /** Step 1: map non-ASCII spaces to U+0020 and drop "commonly mapped to nothing"; null on a lone surrogate. */
    private static int[] map(String s) {
        int[] out = new int[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                return null;
            }
            if (StringPrepTables.contains(StringPrepTables.NON_ASCII_SPACE, cp)) {
                out[n++] = ' ';
            } else if (!StringPrepTables.contains(StringPrepTables.MAPPED_TO_NOTHING, cp)) {
                out[n++] = cp;
            }
        }
        int[] r = new int[n];
        System.arraycopy(out, 0, r, 0, n);
        return r;
    }

    /** RFC 3454 section 6: with any R/AL character, no L character, and R/AL first and last. */
    private static boolean bidiAcceptable(int[] cps) {
        boolean anyRandAL = false;
        for (int cp : cps) {
            if (StringPrepTables.contains(StringPrepTables.RAND_AL_CAT, cp)) {
                anyRandAL = true;
                break;
            }
        }
        if (!anyRandAL) {
            return true;
        }
        for (int cp : cps) {
            if (StringPrepTables.contains(StringPrepTables.L_CAT, cp)) {
                return false;
            }
        }
        return StringPrepTables.contains(StringPrepTables.RAND_AL_CAT, cps[0])
                && StringPrepTables.contains(StringPrepTables.RAND_AL_CAT, cps[cps.length - 1]);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
