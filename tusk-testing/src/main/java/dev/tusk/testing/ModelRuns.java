package dev.tusk.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the seeded random sequences of a model-based (state-machine) test and collects what failed. Sequence
 * {@code i} runs with seed {@code base + i}; the counts and the base seed come from system properties named by a
 * per-test prefix: {@code <prefix>.sequences}, {@code <prefix>.steps} and {@code <prefix>.seed} (a number, or
 * {@code random} for a fresh one). A failing sequence's report names its seed and the properties that replay it.
 * This class asserts nothing: the test asserts on the returned {@link Report}.
 */
public final class ModelRuns {
    private final String prefix;
    private String name;
    private final int defaultSteps;
    private int sequences;
    private int steps;
    private long baseSeed;
    private long maxMillis = Long.MAX_VALUE;

    private ModelRuns(String name, String prefix, int sequences, int steps, int defaultSteps, long baseSeed) {
        this.name = name;
        this.prefix = prefix;
        this.defaultSteps = defaultSteps;
        this.sequences = sequences;
        this.steps = steps;
        this.baseSeed = baseSeed;
    }

    /**
     * Reads {@code <prefix>.sequences}, {@code <prefix>.steps} and {@code <prefix>.seed}, with these defaults.
     *
     * @param name what the summary line and the reports call the run, e.g. {@code PoolStateMachineTest}
     */
    public static ModelRuns fromProperties(String name, String prefix, int defaultSequences, int defaultSteps,
            long defaultSeed) {
        return new ModelRuns(name, prefix, Integer.getInteger(prefix + ".sequences", defaultSequences),
                Integer.getInteger(prefix + ".steps", defaultSteps), defaultSteps, seed(prefix, defaultSeed));
    }

    /** {@code <prefix>.seed}: {@code defaultSeed} when unset, a fresh seed for {@code random}, else the number. */
    public static long seed(String prefix, long defaultSeed) {
        String property = System.getProperty(prefix + ".seed", "");
        return property.isEmpty() ? defaultSeed : property.equals("random") ? System.nanoTime() : Long.parseLong(property);
    }

    /** Whether {@code <prefix>.seed} is set: a replay, which should run the seed it names only. */
    public static boolean seedGiven(String prefix) {
        return !System.getProperty(prefix + ".seed", "").isEmpty();
    }

    /** Runs {@code n} sequences instead of what the properties say. */
    public ModelRuns sequences(int n) {
        sequences = n;
        return this;
    }

    /** Starts from {@code seed} instead of what the properties say. */
    public ModelRuns baseSeed(long seed) {
        baseSeed = seed;
        return this;
    }

    /** Starts no sequence after {@code millis} since the run began (a long run stays inside its test's timeout). */
    public ModelRuns timeCap(long millis) {
        maxMillis = millis;
        return this;
    }

    /** Names the run in the summary line (e.g. with a variant: {@code "ConnectionStateMachineTest (async)"}). */
    public ModelRuns name(String runName) {
        name = runName;
        return this;
    }

    /** Runs {@code n} steps a sequence instead of what the properties say. */
    public ModelRuns steps(int n) {
        steps = n;
        return this;
    }

    public int steps() {
        return steps;
    }

    public long baseSeed() {
        return baseSeed;
    }

    /**
     * One sequence of a run: its seed, its index in the run, how many steps it may take, the history its failure
     * report lists, and the count of steps it ran.
     */
    public abstract static class Sequence {
        protected final long seed;
        protected final int index;
        protected final int steps;
        /** What happened so far, one line an entry: the failure report lists it. */
        protected final List<String> history = new ArrayList<>();
        /** How many steps the sequence started: the run's summary counts them. */
        protected int stepsRun;

        protected Sequence(long seed, int index, int steps) {
            this.seed = seed;
            this.index = index;
            this.steps = steps;
        }

        /** Runs the sequence; returns its failure report (see {@link ModelRuns#report}), or null. */
        public abstract String run();

        public final int stepsRun() {
            return stepsRun;
        }
    }

    /** Makes sequence {@code index} of a run, with its seed, its number of steps and the run's step threads. */
    @FunctionalInterface
    public interface SequenceFactory {
        Sequence create(long seed, int index, int steps, StepThreads threads);
    }

    /** What a run did: its summary line and the failing sequences' reports (empty when all passed). */
    public record Report(String summary, long baseSeed, List<String> failures) {
        public Report {
            failures = List.copyOf(failures);
        }

        @Override
        public String toString() {
            return summary;
        }
    }

    /**
     * Runs the sequences one after another on fresh daemon step threads named {@code threadName-N}, and prints the
     * summary line.
     */
    public Report run(String threadName, SequenceFactory factory) {
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        int ran = 0;
        int stepsRan = 0;
        try (StepThreads threads = new StepThreads(threadName)) {
            for (int i = 0; i < sequences && millisSince(start) < maxMillis; i++) {
                Sequence s = factory.create(baseSeed + i, i, steps, threads);
                String failure = s.run();
                ran++;
                stepsRan += s.stepsRun();
                if (failure != null) {
                    failures.add(failure);
                }
            }
        }
        String summary = String.format("%s: %d sequences, %d steps, base seed %d, %d ms, %d failing", name, ran,
                stepsRan, baseSeed, millisSince(start), failures.size());
        System.out.println(summary);
        return new Report(summary, baseSeed, failures);
    }

    /** The properties that run sequence {@code seed} alone, with this run's number of steps. */
    public String replay(long seed) {
        return "-D" + prefix + ".seed=" + seed + " -D" + prefix + ".sequences=1"
                + (steps != defaultSteps ? " -D" + prefix + ".steps=" + steps : "");
    }

    /**
     * A failing sequence's report: a header with its index, its seed and how to replay it, what failed, and every
     * step so far.
     *
     * @param label what a sequence is called, e.g. {@code "pool sequence"}
     */
    public String report(String label, int index, long seed, String failure, List<String> history) {
        return "\n=== " + label + " " + index + ", seed " + seed + " (replay: " + replay(seed) + ")\n" + failure
                + "\n--- steps:\n  " + String.join("\n  ", history) + "\n";
    }

    /** The top {@code frames} frames of {@code t}'s stack, one indented line each, for a report; "" for null. */
    public static String stack(Throwable t, int frames) {
        if (t == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n");
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(frames, st.length); i++) {
            sb.append("      at ").append(st[i]).append('\n');
        }
        return sb.toString();
    }

    /** The milliseconds since {@code startNanos} (a {@link System#nanoTime()}). */
    public static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
