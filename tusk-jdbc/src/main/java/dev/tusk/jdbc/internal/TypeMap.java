package dev.tusk.jdbc.internal;

import java.sql.Types;
import java.util.HashMap;
import java.util.Map;

/**
 * PostgreSQL's built-in types as JDBC sees them: oid, name, {@link java.sql.Types} code and Java class, with the
 * same answers as pgjdbc gives (frameworks are tested against it): bool is BIT, timestamptz is TIMESTAMP, text is
 * VARCHAR, arrays are ARRAY, anything else OTHER.
 */
public final class TypeMap {
    /** One built-in type. */
    public record Type(int oid, String name, int sqlType, String className, int arrayOid) {
    }

    private static final Map<Integer, Type> BY_OID = new HashMap<>();
    private static final Map<String, Type> BY_NAME = new HashMap<>();

    public static final int BOOL = 16, BYTEA = 17, CHAR = 18, NAME = 19, INT8 = 20, INT2 = 21, INT4 = 23, TEXT = 25, OID = 26,
            JSON = 114, XML = 142, FLOAT4 = 700, FLOAT8 = 701, MONEY = 790, BPCHAR = 1042, VARCHAR = 1043, DATE = 1082,
            TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, INTERVAL = 1186, TIMETZ = 1266, BIT = 1560, VARBIT = 1562,
            NUMERIC = 1700, REFCURSOR = 1790, UUID = 2950, JSONB = 3802, VOID = 2278, UNKNOWN = 705;

    static {
        add(BOOL, "bool", Types.BIT, "java.lang.Boolean", 1000);
        add(BYTEA, "bytea", Types.BINARY, "[B", 1001);
        add(CHAR, "char", Types.CHAR, "java.lang.String", 1002);
        add(NAME, "name", Types.VARCHAR, "java.lang.String", 1003);
        add(INT8, "int8", Types.BIGINT, "java.lang.Long", 1016);
        add(INT2, "int2", Types.SMALLINT, "java.lang.Integer", 1005);
        add(INT4, "int4", Types.INTEGER, "java.lang.Integer", 1007);
        add(TEXT, "text", Types.VARCHAR, "java.lang.String", 1009);
        add(OID, "oid", Types.BIGINT, "java.lang.Long", 1028);
        add(JSON, "json", Types.OTHER, "java.lang.String", 199);
        add(XML, "xml", Types.SQLXML, "java.sql.SQLXML", 143);
        add(FLOAT4, "float4", Types.REAL, "java.lang.Float", 1021);
        add(FLOAT8, "float8", Types.DOUBLE, "java.lang.Double", 1022);
        add(MONEY, "money", Types.DOUBLE, "java.lang.Double", 791);
        add(BPCHAR, "bpchar", Types.CHAR, "java.lang.String", 1014);
        add(VARCHAR, "varchar", Types.VARCHAR, "java.lang.String", 1015);
        add(DATE, "date", Types.DATE, "java.sql.Date", 1182);
        add(TIME, "time", Types.TIME, "java.sql.Time", 1183);
        add(TIMESTAMP, "timestamp", Types.TIMESTAMP, "java.sql.Timestamp", 1115);
        add(TIMESTAMPTZ, "timestamptz", Types.TIMESTAMP, "java.sql.Timestamp", 1185);
        add(INTERVAL, "interval", Types.OTHER, "java.lang.String", 1187);
        add(TIMETZ, "timetz", Types.TIME, "java.sql.Time", 1270);
        add(BIT, "bit", Types.BIT, "java.lang.Boolean", 1561);
        add(VARBIT, "varbit", Types.OTHER, "java.lang.String", 1563);
        add(NUMERIC, "numeric", Types.NUMERIC, "java.math.BigDecimal", 1231);
        add(REFCURSOR, "refcursor", Types.REF_CURSOR, "java.sql.ResultSet", 2201);
        add(UUID, "uuid", Types.OTHER, "java.util.UUID", 2951);
        add(JSONB, "jsonb", Types.OTHER, "java.lang.String", 3807);
        add(VOID, "void", Types.OTHER, "java.lang.Object", 0);
        add(UNKNOWN, "unknown", Types.VARCHAR, "java.lang.String", 0);
        add(869, "inet", Types.OTHER, "java.lang.String", 1041);
        add(650, "cidr", Types.OTHER, "java.lang.String", 651);
        add(829, "macaddr", Types.OTHER, "java.lang.String", 1040);
        add(3904, "int4range", Types.OTHER, "java.lang.String", 3905);
        add(3926, "int8range", Types.OTHER, "java.lang.String", 3927);
        add(3906, "numrange", Types.OTHER, "java.lang.String", 3907);
        add(3908, "tsrange", Types.OTHER, "java.lang.String", 3909);
        add(3910, "tstzrange", Types.OTHER, "java.lang.String", 3911);
        add(3912, "daterange", Types.OTHER, "java.lang.String", 3913);
        Map<Integer, Type> arrays = new HashMap<>();
        for (Type t : BY_OID.values()) {
            if (t.arrayOid != 0) {
                arrays.put(t.arrayOid, new Type(t.arrayOid, "_" + t.name, Types.ARRAY, "java.sql.Array", 0));
            }
        }
        for (Type t : arrays.values()) {
            BY_OID.put(t.oid, t);
            BY_NAME.put(t.name, t);
        }
        alias("int", INT4);
        alias("integer", INT4);
        alias("serial", INT4);
        alias("bigint", INT8);
        alias("bigserial", INT8);
        alias("smallint", INT2);
        alias("smallserial", INT2);
        alias("boolean", BOOL);
        alias("float", FLOAT8);
        alias("double precision", FLOAT8);
        alias("double", FLOAT8);
        alias("real", FLOAT4);
        alias("decimal", NUMERIC);
        alias("character varying", VARCHAR);
        alias("character", BPCHAR);
        alias("timestamp without time zone", TIMESTAMP);
        alias("timestamp with time zone", TIMESTAMPTZ);
        alias("time without time zone", TIME);
        alias("time with time zone", TIMETZ);
    }

    private static void add(int oid, String name, int sqlType, String cls, int arrayOid) {
        Type t = new Type(oid, name, sqlType, cls, arrayOid);
        BY_OID.put(oid, t);
        BY_NAME.put(name, t);
    }

    private static void alias(String name, int oid) {
        BY_NAME.put(name, BY_OID.get(oid));
    }

    private TypeMap() {
    }

    /** The built-in type of {@code oid}, or null for a user-defined one. */
    public static Type byOid(int oid) {
        return BY_OID.get(oid);
    }

    /** The built-in type called {@code name} (PostgreSQL's or SQL's spelling, "int4[]" and "_int4" for arrays), or null. */
    public static Type byName(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith("[]")) {
            Type element = byName(n.substring(0, n.length() - 2));
            return element == null || element.arrayOid == 0 ? null : BY_OID.get(element.arrayOid);
        }
        Type t = BY_NAME.get(n);
        if (t == null && n.startsWith("\"") && n.endsWith("\"")) {
            t = BY_NAME.get(n.substring(1, n.length() - 1));
        }
        return t;
    }

    /** The {@link Types} code of {@code oid}: OTHER for unknown (user-defined, enum, composite) types. */
    public static int sqlType(int oid) {
        Type t = BY_OID.get(oid);
        return t == null ? Types.OTHER : t.sqlType;
    }

    /** The type name of {@code oid}, or null when it is not a built-in type (the catalogs know it). */
    public static String name(int oid) {
        Type t = BY_OID.get(oid);
        return t == null ? null : t.name;
    }

    /** The oid a parameter of {@link Types} code {@code sqlType} is sent with; 0 lets the server infer it. */
    public static int oidForSqlType(int sqlType) {
        return switch (sqlType) {
            case Types.BIT, Types.BOOLEAN -> BOOL;
            case Types.TINYINT, Types.SMALLINT -> INT2;
            case Types.INTEGER -> INT4;
            case Types.BIGINT -> INT8;
            case Types.REAL -> FLOAT4;
            case Types.FLOAT, Types.DOUBLE -> FLOAT8;
            case Types.NUMERIC, Types.DECIMAL -> NUMERIC;
            case Types.CHAR, Types.NCHAR -> BPCHAR;
            case Types.VARCHAR, Types.NVARCHAR, Types.LONGVARCHAR, Types.LONGNVARCHAR, Types.CLOB, Types.NCLOB -> VARCHAR;
            case Types.DATE -> DATE;
            case Types.TIME -> TIME;
            case Types.TIME_WITH_TIMEZONE -> TIMETZ;
            case Types.TIMESTAMP -> TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE -> TIMESTAMPTZ;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> BYTEA;
            case Types.SQLXML -> XML;
            default -> 0; // OTHER, NULL, JAVA_OBJECT, ARRAY, ...: the server decides
        };
    }

    /** An SQL CASE expression giving the JDBC type code of the type whose name is in column {@code typname}. */
    public static String sqlTypeCase(String typname) {
        StringBuilder sb = new StringBuilder("CASE ").append(typname);
        java.util.TreeMap<String, Type> sorted = new java.util.TreeMap<>();
        for (Type t : BY_OID.values()) {
            sorted.put(t.name, t);
        }
        for (Type t : sorted.values()) {
            sb.append(" WHEN '").append(t.name).append("' THEN ").append(t.sqlType);
        }
        return sb.append(" ELSE ").append(Types.OTHER).append(" END").toString();
    }
}
