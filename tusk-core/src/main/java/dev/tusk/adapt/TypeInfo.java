package dev.tusk.adapt;

import dev.tusk.errors.InterfaceException;

import java.util.ArrayList;
import java.util.List;

/**
 * What Tusk knows about one PostgreSQL type: its name, oid, array oid and array delimiter, and for
 * ranges, multiranges, domains, enums and composites the types they are made of.
 *
 * <p>Built-in types are known already. Types created at run time (enums, composites, ranges, hstore,
 * domains) are fetched from the server's catalogue and registered, which adds loaders and dumpers for
 * the type and its array:
 *
 * <pre>{@code
 * TypeInfo mood = TypeInfo.fetch(conn, "mood");       // CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')
 * mood.register(conn.adapters());                     // mood and mood[] now load as String / List<String>
 *
 * TypeInfo.fetch(asyncConn, "mood").thenAccept(info -> info.register(asyncConn.adapters()));
 * }</pre>
 */
public final class TypeInfo {
    /** The families of types with a distinct adaptation. */
    public enum Kind { BASE, ENUM, COMPOSITE, RANGE, MULTIRANGE, DOMAIN, PSEUDO }

    /**
     * Runs one catalogue query: {@code sql} has one {@code %s} placeholder for {@code param}; every
     * selected column is cast to text. Returns the first row's columns as strings (elements may be null),
     * or {@code null} when there is no row.
     */
    @FunctionalInterface
    public interface CatalogQuery {
        List<String> firstRow(String sql, String param);
    }

    /**
     * The catalogue query: one row describing the type, all text so any query runner can read it. A multirange's
     * range is found through {@code to_jsonb} of the pg_range row, as its {@code rngmultitypid} column exists only
     * from PostgreSQL 14 (on 13 the join finds nothing, where the column would be an error).
     */
    public static final String FETCH_SQL = """
            SELECT t.typname::text, t.oid::int8::text, t.typarray::int8::text, t.typdelim::text, t.typtype::text,
                   t.typbasetype::int8::text,
                   COALESCE(r.rngsubtype, m.rngtypid)::int8::text,
                   (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e
                     WHERE e.enumtypid = t.oid)::text,
                   (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)::text,
                   (SELECT array_agg(a.atttypid::int8 ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)::text,
                   pg_catalog.format_type(t.oid, NULL)::text
            FROM pg_catalog.pg_type t
            LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
            LEFT JOIN pg_catalog.pg_range m ON (pg_catalog.to_jsonb(m) ->> 'rngmultitypid')::oid = t.oid
            WHERE t.oid = pg_catalog.to_regtype(%s)""";

    private final String name;
    private final String qualifiedName;
    private final int oid;
    private final int arrayOid;
    private final char delimiter;
    private final Kind kind;
    private final int baseOid;
    private final List<String> labels;
    private final List<String> fieldNames;
    private final int[] fieldTypes;

    private TypeInfo(String name, String qualifiedName, int oid, int arrayOid, char delimiter, Kind kind,
                     int baseOid, List<String> labels, List<String> fieldNames, int[] fieldTypes) {
        this.name = name;
        this.qualifiedName = qualifiedName;
        this.oid = oid;
        this.arrayOid = arrayOid;
        this.delimiter = delimiter;
        this.kind = kind;
        this.baseOid = baseOid;
        this.labels = labels;
        this.fieldNames = fieldNames;
        this.fieldTypes = fieldTypes;
    }

    /** A base type (numbers, text, ...) with its array type; the delimiter is ',' for all but box. */
    public static TypeInfo base(String name, int oid, int arrayOid) {
        return new TypeInfo(name, null, oid, arrayOid, name.equals("box") ? ';' : ',', Kind.BASE, 0,
                List.of(), List.of(), new int[0]);
    }

    /** A range type over {@code subtypeOid}. */
    public static TypeInfo range(String name, int oid, int arrayOid, int subtypeOid) {
        return new TypeInfo(name, null, oid, arrayOid, ',', Kind.RANGE, subtypeOid, List.of(), List.of(), new int[0]);
    }

    /** A multirange type over the range type {@code rangeOid}. */
    public static TypeInfo multirange(String name, int oid, int arrayOid, int rangeOid) {
        return new TypeInfo(name, null, oid, arrayOid, ',', Kind.MULTIRANGE, rangeOid, List.of(), List.of(), new int[0]);
    }

    /** An enum type with its labels in sort order. */
    public static TypeInfo enumType(String name, int oid, int arrayOid, List<String> labels) {
        return new TypeInfo(name, null, oid, arrayOid, ',', Kind.ENUM, 0, List.copyOf(labels), List.of(), new int[0]);
    }

    /** A composite type with its fields' names and type oids. */
    public static TypeInfo composite(String name, int oid, int arrayOid, List<String> fieldNames, int[] fieldTypes) {
        if (fieldNames.size() != fieldTypes.length) {
            throw new IllegalArgumentException("one type oid per field is needed");
        }
        return new TypeInfo(name, null, oid, arrayOid, ',', Kind.COMPOSITE, 0, List.of(),
                List.copyOf(fieldNames), fieldTypes.clone());
    }

    /** A domain over {@code baseOid}. */
    public static TypeInfo domain(String name, int oid, int arrayOid, int baseOid) {
        return new TypeInfo(name, null, oid, arrayOid, ',', Kind.DOMAIN, baseOid, List.of(), List.of(), new int[0]);
    }

    /** A pseudo type (record, void, ...), known by name and oid only. */
    public static TypeInfo pseudo(String name, int oid, int arrayOid) {
        return new TypeInfo(name, null, oid, arrayOid, ',', Kind.PSEUDO, 0, List.of(), List.of(), new int[0]);
    }

    /**
     * Fetches the type called {@code name} (schema-qualified or not, quoted as in SQL) through
     * {@code query}; {@code null} when the server has no such type.
     */
    public static TypeInfo fetch(CatalogQuery query, String name) {
        return fromRow(query.firstRow(FETCH_SQL, name), name);
    }

    /**
     * Fetches the type called {@code name} (schema-qualified or not, quoted as in SQL) from a connection's
     * catalogue: null when the server has no such type. On a {@code Connection} this returns the
     * {@code TypeInfo}; on an {@code AsyncConnection} a {@code CompletableFuture<TypeInfo>} that completes
     * with it (see {@link TypeCatalog}).
     *
     * <p>Until 0.1 this was two methods, {@code fetch(Connection, String)} and
     * {@code fetch(AsyncConnection, String)}; calls written for them compile unchanged.
     *
     * <pre>{@code
     * TypeInfo mood = TypeInfo.fetch(conn, "mood");
     * CompletableFuture<TypeInfo> later = TypeInfo.fetch(asyncConn, "mood");
     * }</pre>
     */
    public static <T> T fetch(TypeCatalog<T> conn, String name) {
        return conn.lookUpType(lookup(name));
    }

    /**
     * The catalogue lookup {@link #fetch(TypeCatalog, String)} runs: for fetch variants that check what they
     * found, e.g. {@code conn.lookUpType(TypeInfo.lookup(name).then(info -> ...))}.
     */
    public static TypeCatalog.Lookup lookup(String name) {
        return new TypeCatalog.Lookup(FETCH_SQL, name, row -> fromRow(row, name));
    }

    /** The type that {@link #FETCH_SQL}'s first row describes, null for no row (or no type). */
    private static TypeInfo fromRow(List<String> row, String name) {
        if (row == null || row.get(1) == null) {
            return null;
        }
        if (row.size() < 11) {
            throw new InterfaceException("the type catalogue query returned " + row.size() + " columns, expected 11");
        }
        String typname = row.get(0);
        int oid = (int) Long.parseLong(row.get(1));
        int arrayOid = (int) Long.parseLong(row.get(2));
        char delim = row.get(3) == null || row.get(3).isEmpty() ? ',' : row.get(3).charAt(0);
        String typtype = row.get(4);
        int baseType = (int) Long.parseLong(row.get(5));
        int rangeRef = row.get(6) == null ? 0 : (int) Long.parseLong(row.get(6));
        TypeInfo info;
        switch (typtype) {
            case "e" -> info = enumType(typname, oid, arrayOid, textArray(row.get(7)));
            case "c" -> {
                List<String> names = textArray(row.get(8));
                List<String> types = textArray(row.get(9));
                int[] typeOids = new int[types.size()];
                for (int i = 0; i < typeOids.length; i++) {
                    typeOids[i] = (int) Long.parseLong(types.get(i));
                }
                info = composite(typname, oid, arrayOid, names, typeOids);
            }
            case "r" -> info = range(typname, oid, arrayOid, rangeRef);
            case "m" -> info = multirange(typname, oid, arrayOid, rangeRef);
            case "d" -> info = domain(typname, oid, arrayOid, baseType);
            case "p" -> info = pseudo(typname, oid, arrayOid);
            default -> info = new TypeInfo(typname, null, oid, arrayOid, delim, Kind.BASE, 0, List.of(), List.of(), new int[0]);
        }
        String qualified = name.trim();
        return new TypeInfo(info.name, qualified.equals(typname) ? null : qualified, info.oid, info.arrayOid, delim,
                info.kind, info.baseOid, info.labels, info.fieldNames, info.fieldTypes);
    }

    /**
     * The elements of a one-dimensional array in PostgreSQL's text form ({@code {a,"b c","d\"e"}}), as the
     * catalogue query returns names, labels and oids; an unquoted {@code NULL} is null.
     */
    static List<String> textArray(String text) {
        if (text == null) {
            return List.of();
        }
        int n = text.length();
        if (n < 2 || text.charAt(0) != '{' || text.charAt(n - 1) != '}') {
            throw new InterfaceException("the type catalogue query returned a malformed array: " + text);
        }
        List<String> out = new ArrayList<>();
        int pos = 1;
        while (pos < n - 1) {
            StringBuilder item = new StringBuilder();
            boolean quoted = text.charAt(pos) == '"';
            if (quoted) {
                pos++;
                while (pos < n - 1 && text.charAt(pos) != '"') {
                    char c = text.charAt(pos++);
                    item.append(c == '\\' && pos < n - 1 ? text.charAt(pos++) : c);
                }
                pos++; // the closing quote
            } else {
                while (pos < n - 1 && text.charAt(pos) != ',') {
                    item.append(text.charAt(pos++));
                }
            }
            String s = item.toString();
            out.add(!quoted && s.equalsIgnoreCase("NULL") ? null : s);
            pos++; // the comma
        }
        return out;
    }

    /**
     * Makes {@code adapters} know this type: its name and oid for {@link AdaptersMap#registerLoader(String, Loader)},
     * and loaders and dumpers for the type and its array, added by the map's
     * {@link AdaptersMap#registerTypeAdapters type adapters}. A map with the built-ins (every connection's,
     * {@code Tusk.adapters()}) has those of {@code dev.tusk.types}: enums as String, composites as
     * {@code Object[]} (or a record registered with {@code CompositeInfo}), ranges as {@code Range}, hstore as
     * {@code Map}, domains as their base type.
     */
    public void register(AdaptersMap adapters) {
        adapters.registerTypeWithAdapters(this);
    }

    public String name() {
        return name;
    }

    /** The name this type was fetched with when it differs from {@link #name()} (e.g. {@code myschema.mood}). */
    public String qualifiedName() {
        return qualifiedName;
    }

    public int oid() {
        return oid;
    }

    /** The oid of {@code name[]}, 0 if the type has no array type. */
    public int arrayOid() {
        return arrayOid;
    }

    /** The element separator in the text form of arrays: ',' for all types but box (';'). */
    public char delimiter() {
        return delimiter;
    }

    public Kind kind() {
        return kind;
    }

    /** For a range: its subtype; for a multirange: its range type; for a domain: its base type; else 0. */
    public int baseOid() {
        return baseOid;
    }

    /** An enum's labels in sort order. */
    public List<String> labels() {
        return labels;
    }

    /** A composite's field names in order. */
    public List<String> fieldNames() {
        return fieldNames;
    }

    /** A composite's field type oids in order. */
    public int[] fieldTypes() {
        return fieldTypes.clone();
    }

    @Override
    public String toString() {
        return "TypeInfo(" + name + ", oid=" + oid + ", array=" + arrayOid + ", " + kind + ")";
    }
}
