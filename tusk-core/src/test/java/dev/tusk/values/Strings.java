package dev.tusk.values;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/** Strings over every Unicode plane, with the occasional lone surrogate or NUL (trust #9). */
final class Strings {
    private Strings() {
    }

    static Arbitrary<String> withRareLoneSurrogatesAndNul() {
        Arbitrary<String> ascii = Arbitraries.chars().range(' ', '~').map(String::valueOf);
        Arbitrary<String> controls = Arbitraries.of("\t", "\n", "\r", "\\", "'", "\"", "%", "?", "\u007f");
        Arbitrary<String> latin = Arbitraries.chars().range('\u0080', '\u00ff').map(String::valueOf);
        Arbitrary<String> bmp = Arbitraries.chars().range('\u0100', '\ud7ff').map(String::valueOf);
        Arbitrary<String> upperBmp = Arbitraries.chars().range('\ue000', '\uffff').map(String::valueOf);
        Arbitrary<String> supplementary = Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString);
        Arbitrary<String> lone = Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf);
        Arbitrary<String> nul = Arbitraries.just("\0");
        Arbitrary<String> piece = Arbitraries.frequencyOf(Tuple.of(40, ascii), Tuple.of(8, controls), Tuple.of(10, latin),
                Tuple.of(10, bmp), Tuple.of(5, upperBmp), Tuple.of(10, supplementary), Tuple.of(1, lone), Tuple.of(1, nul));
        return piece.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    /** Whether {@code s} is valid Unicode (no lone surrogate). */
    static boolean validUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
