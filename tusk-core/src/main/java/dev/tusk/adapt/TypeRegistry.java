package dev.tusk.adapt;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Type names ↔ {@link TypeInfo}, looked up by name, oid or array oid. Immutable: {@link #with} returns
 * a new registry, which is how {@link AdaptersMap} copies it on write.
 */
public final class TypeRegistry {
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("boolean", "bool"), Map.entry("smallint", "int2"), Map.entry("integer", "int4"),
            Map.entry("int", "int4"), Map.entry("bigint", "int8"), Map.entry("real", "float4"),
            Map.entry("double precision", "float8"), Map.entry("float", "float8"),
            Map.entry("decimal", "numeric"), Map.entry("character varying", "varchar"),
            Map.entry("character", "bpchar"), Map.entry("char", "bpchar"), Map.entry("\"char\"", "char"),
            Map.entry("timestamp without time zone", "timestamp"),
            Map.entry("timestamp with time zone", "timestamptz"),
            Map.entry("time without time zone", "time"), Map.entry("time with time zone", "timetz"),
            Map.entry("bit varying", "varbit"));

    private final Map<String, TypeInfo> byName;
    private final Map<Integer, TypeInfo> byOid;
    private final Map<Integer, TypeInfo> byArrayOid;
    /** Ranges by subtype oid and multiranges by range oid, keyed by {@link #baseKey}. */
    private final Map<Long, TypeInfo> byBase;

    private TypeRegistry(Map<String, TypeInfo> byName, Map<Integer, TypeInfo> byOid, Map<Integer, TypeInfo> byArrayOid,
                         Map<Long, TypeInfo> byBase) {
        this.byName = byName;
        this.byOid = byOid;
        this.byArrayOid = byArrayOid;
        this.byBase = byBase;
    }

    /** A registry with nothing in it. */
    public static TypeRegistry empty() {
        return new TypeRegistry(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** A new registry that also knows {@code info}, replacing any type of the same name or oid. */
    public TypeRegistry with(TypeInfo info) {
        Map<String, TypeInfo> n = new HashMap<>(byName);
        Map<Integer, TypeInfo> o = new HashMap<>(byOid);
        Map<Integer, TypeInfo> a = new HashMap<>(byArrayOid);
        n.put(info.name(), info);
        if (info.qualifiedName() != null) {
            n.put(info.qualifiedName(), info);
        }
        o.put(info.oid(), info);
        if (info.arrayOid() != 0) {
            a.put(info.arrayOid(), info);
        }
        Map<Long, TypeInfo> b = byBase;
        if (info.kind() == TypeInfo.Kind.RANGE || info.kind() == TypeInfo.Kind.MULTIRANGE) {
            b = new HashMap<>(byBase);
            b.putIfAbsent(baseKey(info.kind(), info.baseOid()), info);
        }
        return new TypeRegistry(n, o, a, b);
    }

    /**
     * The type called {@code name}: a {@code pg_type} name ({@code int4}), an SQL spelling
     * ({@code integer}, {@code timestamp with time zone}), optionally {@code pg_catalog.}-qualified, or
     * the name (qualified or not) a {@link TypeInfo} was fetched with. {@code null} when unknown.
     */
    public TypeInfo get(String name) {
        String n = name.trim();
        if (n.startsWith("pg_catalog.")) {
            n = n.substring("pg_catalog.".length());
        }
        if (n.length() >= 2 && n.charAt(0) == '"' && n.charAt(n.length() - 1) == '"') {
            return byName.get(n.substring(1, n.length() - 1).replace("\"\"", "\""));
        }
        String lower = n.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        String alias = ALIASES.get(lower);
        TypeInfo t = byName.get(alias != null ? alias : lower);
        if (t == null) {
            t = byName.get(name);
        }
        if (t == null && alias == null && lower.indexOf('"') >= 0) {
            t = byName.get(lower.replace("\"", ""));
        }
        return t;
    }

    /** The type with this oid, or {@code null}. */
    public TypeInfo get(int oid) {
        return byOid.get(oid);
    }

    /** The element type whose array type has this oid, or {@code null}. */
    public TypeInfo elementOfArray(int arrayOid) {
        return byArrayOid.get(arrayOid);
    }

    /** The range type over {@code subtypeOid} (the first registered, e.g. int4range for int4), or {@code null}. */
    public TypeInfo rangeOver(int subtypeOid) {
        return byBase.get(baseKey(TypeInfo.Kind.RANGE, subtypeOid));
    }

    /** The multirange type over the range type {@code rangeOid}, or {@code null}. */
    public TypeInfo multirangeOver(int rangeOid) {
        return byBase.get(baseKey(TypeInfo.Kind.MULTIRANGE, rangeOid));
    }

    private static long baseKey(TypeInfo.Kind kind, int oid) {
        return ((long) kind.ordinal() << 32) | (oid & 0xFFFFFFFFL);
    }

    /** The array oid of the type {@code elementOid}, or 0 when unknown. */
    public int arrayOidOf(int elementOid) {
        TypeInfo t = byOid.get(elementOid);
        return t == null ? 0 : t.arrayOid();
    }

}
