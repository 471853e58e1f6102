package dev.tusk.types;

import dev.tusk.errors.ProgrammingException;

import java.util.Objects;

/**
 * A PostgreSQL range value (int4range, numrange, daterange, tstzrange, ...): a lower and an upper bound,
 * each inclusive or exclusive or infinite (a {@code null} bound), or the empty range. Immutable, as
 * psycopg's {@code Range}.
 *
 * <p>The server canonicalises discrete ranges: {@code [1,5]} on int4range comes back as {@code [1,6)}.
 * Dumped with {@code %s} or {@code %t} a range is sent as text with no type oid, so the server takes the
 * type from the query ({@code %s::int8range}) or the column; with {@code %b} its type follows its bounds'
 * Java class (Integer → int4range, Long → int8range, BigDecimal → numrange, LocalDate → daterange,
 * LocalDateTime → tsrange, OffsetDateTime/Instant → tstzrange).
 *
 * <pre>{@code
 * Range<Integer> r = Range.of(1, 10);                      // [1,10)
 * Range<LocalDate> from = Range.of(LocalDate.of(2024, 1, 1), null, "[)");  // [2024-01-01,)
 * conn.execute("SELECT %s::int4range @> 5", r).fetchone().getBoolean(0);   // true
 * Range<?> back = (Range<?>) conn.execute("SELECT '[1,5]'::int4range").fetchone().get(0); // [1,6)
 * }</pre>
 *
 * @param <T> the bounds' Java type
 */
public final class Range<T> {
    private static final Range<?> EMPTY = new Range<>(null, null, false, false, true);

    private final T lower;
    private final T upper;
    private final boolean lowerInclusive;
    private final boolean upperInclusive;
    private final boolean empty;

    private Range(T lower, T upper, boolean lowerInclusive, boolean upperInclusive, boolean empty) {
        this.lower = lower;
        this.upper = upper;
        // an infinite bound is never inclusive, as PostgreSQL normalises it
        this.lowerInclusive = lower != null && lowerInclusive;
        this.upperInclusive = upper != null && upperInclusive;
        this.empty = empty;
    }

    /** The empty range. */
    @SuppressWarnings("unchecked")
    public static <T> Range<T> empty() {
        return (Range<T>) EMPTY;
    }

    /** {@code [lower,upper)}; a {@code null} bound is infinite. */
    public static <T> Range<T> of(T lower, T upper) {
        return of(lower, upper, "[)");
    }

    /**
     * A range with {@code bounds} one of {@code "[)"}, {@code "[]"}, {@code "()"}, {@code "(]"}; a {@code null}
     * bound is infinite.
     *
     * @throws ProgrammingException for other bounds strings
     */
    public static <T> Range<T> of(T lower, T upper, String bounds) {
        if (bounds == null || bounds.length() != 2 || "[(".indexOf(bounds.charAt(0)) < 0
                || "])".indexOf(bounds.charAt(1)) < 0) {
            throw new ProgrammingException("range bounds must be one of \"[)\", \"[]\", \"()\", \"(]\", got "
                    + (bounds == null ? "null" : "\"" + bounds + "\""));
        }
        return new Range<>(lower, upper, bounds.charAt(0) == '[', bounds.charAt(1) == ']', false);
    }

    /** A range with each bound's inclusiveness given; used by the loaders. */
    public static <T> Range<T> of(T lower, boolean lowerInclusive, T upper, boolean upperInclusive) {
        return new Range<>(lower, upper, lowerInclusive, upperInclusive, false);
    }

    /** The lower bound, {@code null} when infinite or empty. */
    public T lower() {
        return lower;
    }

    /** The upper bound, {@code null} when infinite or empty. */
    public T upper() {
        return upper;
    }

    public boolean isEmpty() {
        return empty;
    }

    public boolean lowerInclusive() {
        return lowerInclusive;
    }

    public boolean upperInclusive() {
        return upperInclusive;
    }

    /** True when the range has no lower bound (and is not empty). */
    public boolean lowerInfinite() {
        return !empty && lower == null;
    }

    /** True when the range has no upper bound (and is not empty). */
    public boolean upperInfinite() {
        return !empty && upper == null;
    }

    /** psycopg's {@code bounds}: {@code "[)"}, {@code "[]"}, {@code "()"} or {@code "(]"}; {@code null} if empty. */
    public String bounds() {
        return empty ? null : (lowerInclusive ? "[" : "(") + (upperInclusive ? "]" : ")");
    }

    /** The first non-null bound, which picks the dumper; {@code null} for empty and unbounded ranges. */
    Object anyBound() {
        return lower != null ? lower : upper;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Range<?> r && empty == r.empty && lowerInclusive == r.lowerInclusive
                && upperInclusive == r.upperInclusive && Objects.equals(lower, r.lower) && Objects.equals(upper, r.upper);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lower, upper, lowerInclusive, upperInclusive, empty);
    }

    /** PostgreSQL's text form, with the bounds' {@code toString}: {@code [1,5)}, {@code (,2024-01-01]}, {@code empty}. */
    @Override
    public String toString() {
        if (empty) {
            return "empty";
        }
        return (lowerInclusive ? "[" : "(") + (lower == null ? "" : lower) + "," + (upper == null ? "" : upper)
                + (upperInclusive ? "]" : ")");
    }
}
