package dev.tusk.values;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs a property against the real server from a JUnit test (the server harness is a JUnit extension): each try
 * draws a case from a jqwik {@link Arbitrary} (edge cases mixed in) with its own seed. A failure names the try,
 * the case and the seed; {@code -Dtusk.props.seed=S} replays from that seed, {@code -Dtusk.props.tries=N}
 * runs longer. A seed found failing becomes a plain regression test.
 */
final class Props {
    private Props() {
    }

    static int tries(int defaultTries) {
        return Integer.getInteger("tusk.props.tries", defaultTries);
    }

    static <T> int forAll(String property, int defaultTries, Arbitrary<T> cases, Consumer<T> check) {
        long base = Long.getLong("tusk.props.seed", new Random().nextLong());
        int tries = tries(defaultTries);
        for (int i = 0; i < tries; i++) {
            long seed = base + i;
            T c = draw(cases, seed);
            try {
                check.accept(c);
            } catch (Throwable t) {
                throw new AssertionError(property + ": try " + (i + 1) + " of " + tries + " failed (replay with -Dtusk.props.seed="
                        + seed + "): " + describe(c), t);
            }
        }
        System.err.println("[props] " + property + ": " + tries + " tries passed (seeds " + base + ".." + (base + tries - 1) + ")");
        return tries;
    }

    /** The case of one seed (jqwik's generators run in a session of their own outside its engine). */
    private static <T> T draw(Arbitrary<T> cases, long seed) {
        JqwikSession.start();
        try {
            return cases.generatorWithEmbeddedEdgeCases(100).next(new Random(seed)).value();
        } finally {
            JqwikSession.finish();
        }
    }

    private static String describe(Object c) {
        String s = String.valueOf(c);
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
