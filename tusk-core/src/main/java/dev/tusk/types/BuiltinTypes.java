package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.TypeInfo;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The oids of PostgreSQL's built-in types (they are fixed in {@code pg_type.dat}), and the registration
 * of their names, array types and delimiters in an {@link AdaptersMap}.
 *
 * <pre>{@code
 * int oid = Tusk.adapters().types().get("timestamp with time zone").oid(); // 1184
 * }</pre>
 */
public final class BuiltinTypes {
    private BuiltinTypes() {
    }

    public static final int BOOL = 16, BYTEA = 17, CHAR = 18, NAME = 19, INT8 = 20, INT2 = 21, INT4 = 23,
            TEXT = 25, OID = 26, JSON = 114, XML = 142, CIDR = 650, FLOAT4 = 700, FLOAT8 = 701, UNKNOWN = 705,
            MACADDR8 = 774, MONEY = 790, MACADDR = 829, INET = 869, BPCHAR = 1042, VARCHAR = 1043, DATE = 1082,
            TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, INTERVAL = 1186, TIMETZ = 1266, BIT = 1560,
            VARBIT = 1562, NUMERIC = 1700, RECORD = 2249, UUID = 2950, JSONB = 3802, JSONPATH = 4072,
            INT4RANGE = 3904, NUMRANGE = 3906, TSRANGE = 3908, TSTZRANGE = 3910, DATERANGE = 3912, INT8RANGE = 3926,
            INT4MULTIRANGE = 4451, NUMMULTIRANGE = 4532, TSMULTIRANGE = 4533, TSTZMULTIRANGE = 4534,
            DATEMULTIRANGE = 4535, INT8MULTIRANGE = 4536, POINT = 600, LSEG = 601, PATH = 602, BOX = 603, POLYGON = 604,
            LINE = 628, CIRCLE = 718, PG_LSN = 3220;

    /** name, oid, array oid of the base types. */
    private static final Object[][] BASE = {
            {"bool", 16, 1000}, {"bytea", 17, 1001}, {"char", 18, 1002}, {"name", 19, 1003}, {"int8", 20, 1016},
            {"int2", 21, 1005}, {"int2vector", 22, 1006}, {"int4", 23, 1007}, {"regproc", 24, 1008},
            {"text", 25, 1009}, {"oid", 26, 1028}, {"tid", 27, 1010}, {"xid", 28, 1011}, {"cid", 29, 1012},
            {"oidvector", 30, 1013}, {"json", 114, 199}, {"xml", 142, 143}, {"point", 600, 1017},
            {"lseg", 601, 1018}, {"path", 602, 1019}, {"box", 603, 1020}, {"polygon", 604, 1027},
            {"line", 628, 629}, {"cidr", 650, 651}, {"float4", 700, 1021}, {"float8", 701, 1022},
            {"circle", 718, 719}, {"macaddr8", 774, 775}, {"money", 790, 791}, {"macaddr", 829, 1040},
            {"inet", 869, 1041}, {"aclitem", 1033, 1034}, {"bpchar", 1042, 1014}, {"varchar", 1043, 1015},
            {"date", 1082, 1182}, {"time", 1083, 1183}, {"timestamp", 1114, 1115}, {"timestamptz", 1184, 1185},
            {"interval", 1186, 1187}, {"timetz", 1266, 1270}, {"bit", 1560, 1561}, {"varbit", 1562, 1563},
            {"numeric", 1700, 1231}, {"refcursor", 1790, 2201}, {"regprocedure", 2202, 2207},
            {"regoper", 2203, 2208}, {"regoperator", 2204, 2209}, {"regclass", 2205, 2210},
            {"regtype", 2206, 2211}, {"uuid", 2950, 2951}, {"txid_snapshot", 2970, 2949}, {"pg_lsn", 3220, 3221},
            {"tsvector", 3614, 3643}, {"tsquery", 3615, 3645}, {"regconfig", 3734, 3735},
            {"regdictionary", 3769, 3770}, {"jsonb", 3802, 3807}, {"jsonpath", 4072, 4073},
            {"regnamespace", 4089, 4090}, {"regrole", 4096, 4097}, {"regcollation", 4191, 4192},
            {"pg_snapshot", 5038, 5039}, {"xid8", 5069, 271},
    };
    private static final Object[][] PSEUDO = {
            {"unknown", 705, 0}, {"record", 2249, 2287}, {"cstring", 2275, 1263}, {"void", 2278, 0},
    };
    /** name, oid, array oid, subtype oid. */
    private static final Object[][] RANGES = {
            {"int4range", 3904, 3905, 23}, {"numrange", 3906, 3907, 1700}, {"tsrange", 3908, 3909, 1114},
            {"tstzrange", 3910, 3911, 1184}, {"daterange", 3912, 3913, 1082}, {"int8range", 3926, 3927, 20},
    };
    /** name, oid, array oid, range oid. */
    private static final Object[][] MULTIRANGES = {
            {"int4multirange", 4451, 6150, 3904}, {"nummultirange", 4532, 6151, 3906},
            {"tsmultirange", 4533, 6152, 3908}, {"tstzmultirange", 4534, 6153, 3910},
            {"datemultirange", 4535, 6155, 3912}, {"int8multirange", 4536, 6157, 3926},
    };

    /** The oid of every built-in type listed here. */
    static final int[] ALL_OIDS = Stream.of(BASE, PSEUDO, RANGES, MULTIRANGES)
            .flatMap(Arrays::stream).mapToInt(t -> (Integer) t[1]).toArray();

    /** Registers the name, oid, array oid and delimiter of every built-in type in {@code adapters}. */
    public static void registerAll(AdaptersMap adapters) {
        for (Object[] t : BASE) {
            adapters.registerType(TypeInfo.base((String) t[0], (Integer) t[1], (Integer) t[2]));
        }
        for (Object[] t : PSEUDO) {
            adapters.registerType(TypeInfo.pseudo((String) t[0], (Integer) t[1], (Integer) t[2]));
        }
        for (Object[] t : RANGES) {
            adapters.registerType(TypeInfo.range((String) t[0], (Integer) t[1], (Integer) t[2], (Integer) t[3]));
        }
        for (Object[] t : MULTIRANGES) {
            adapters.registerType(TypeInfo.multirange((String) t[0], (Integer) t[1], (Integer) t[2], (Integer) t[3]));
        }
    }
}
