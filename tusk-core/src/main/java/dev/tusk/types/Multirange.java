package dev.tusk.types;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A PostgreSQL multirange value (int4multirange, datemultirange, ...): an immutable list of
 * {@link Range}s, as psycopg's {@code Multirange}. The server normalises multiranges (sorted, merged,
 * no empty ranges); dumping follows the same rules as {@link Range}.
 *
 * <pre>{@code
 * Multirange<Integer> m = Multirange.of(Range.of(1, 3), Range.of(5, 7));   // {[1,3),[5,7)}
 * conn.execute("SELECT %s::int4multirange @> 6", m).fetchone().getBoolean(0); // true
 * }</pre>
 *
 * @param <T> the bounds' Java type
 */
public final class Multirange<T> extends AbstractList<Range<T>> implements RandomAccess {
    private final List<Range<T>> ranges;

    private Multirange(List<Range<T>> ranges) {
        this.ranges = ranges;
    }

    @SafeVarargs
    public static <T> Multirange<T> of(Range<T>... ranges) {
        return new Multirange<>(List.copyOf(Arrays.asList(ranges)));
    }

    public static <T> Multirange<T> of(List<Range<T>> ranges) {
        return new Multirange<>(List.copyOf(ranges));
    }

    @Override
    public Range<T> get(int index) {
        return ranges.get(index);
    }

    @Override
    public int size() {
        return ranges.size();
    }

    /** PostgreSQL's text form: {@code {[1,3),[5,7)}}, {@code {}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ranges.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranges.get(i));
        }
        return sb.append('}').toString();
    }
}
