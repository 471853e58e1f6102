package dev.tusk.adapt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Somewhere the type catalogue can be read: a connection. {@link TypeInfo#fetch(TypeCatalog, String)} (and
 * {@code EnumInfo.fetch}, {@code CompositeInfo.fetch}) build a {@link Lookup}, the query and what its result
 * means without any I/O, and hand it to the catalog, which runs it the way its connection runs queries:
 * {@code Connection} implements {@code TypeCatalog<TypeInfo>} and answers when the query is done,
 * {@code AsyncConnection} implements {@code TypeCatalog<CompletableFuture<TypeInfo>>} and answers with a
 * future. So {@code TypeInfo.fetch(conn, "mood")} returns a {@code TypeInfo} on the first and a
 * {@code CompletableFuture<TypeInfo>} on the second.
 *
 * <p>Application code calls {@code TypeInfo.fetch}; it has no reason to call {@link #lookUpType} itself.
 *
 * @param <T> what a lookup gives: the {@link TypeInfo} itself, or a future of it
 */
@FunctionalInterface
public interface TypeCatalog<T> {
    /** Runs {@code lookup}'s query and gives the lookup's {@link Lookup#result result} for the first row it returns. */
    T lookUpType(Lookup lookup);

    /**
     * One catalogue lookup: a query with one text parameter, and the {@link TypeInfo} (or null) that its first
     * row stands for. Immutable.
     */
    final class Lookup {
        private final String sql;
        private final String param;
        private final Function<List<String>, TypeInfo> result;

        /**
         * @param sql    the query, with one {@code %s} placeholder; every column it selects is text
         * @param param  the value of that placeholder
         * @param result the lookup's outcome for the first row (its columns as strings), or for null when the
         *               query returned no row
         */
        public Lookup(String sql, String param, Function<List<String>, TypeInfo> result) {
            this.sql = Objects.requireNonNull(sql, "sql");
            this.param = param;
            this.result = Objects.requireNonNull(result, "result");
        }

        public String sql() {
            return sql;
        }

        public String param() {
            return param;
        }

        /**
         * The outcome for {@code firstRow}: the query's first row with its columns in order (each a String or
         * null), or null when the query returned no row.
         */
        public TypeInfo result(List<?> firstRow) {
            if (firstRow == null) {
                return result.apply(null);
            }
            List<String> text = new ArrayList<>(firstRow.size());
            for (Object o : firstRow) {
                text.add(o == null ? null : o.toString());
            }
            return result.apply(text);
        }

        /** This lookup with {@code check} applied to its outcome (which may be null), e.g. to require a kind of type. */
        public Lookup then(Function<TypeInfo, TypeInfo> check) {
            return new Lookup(sql, param, result.andThen(check));
        }
    }
}
