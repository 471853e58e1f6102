package dev.tusk.sql;

import java.util.HashMap;
import java.util.Map;

/**
 * Names of built-in PostgreSQL types by oid (from pg_type.dat), used to write a literal's cast.
 *
 * <p>TODO: ask the adapters' type registry once it exists, so that user-registered and extension
 * types (hstore, citext, enums...) get their cast too; until then those literals go uncast and the
 * server infers their type from the context.
 */
final class TypeNames {
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        scalar(16, "bool", 1000);
        scalar(17, "bytea", 1001);
        scalar(18, "\"char\"", 1002);
        scalar(19, "name", 1003);
        scalar(20, "int8", 1016);
        scalar(21, "int2", 1005);
        scalar(23, "int4", 1007);
        scalar(26, "oid", 1028);
        scalar(114, "json", 199);
        scalar(142, "xml", 143);
        scalar(600, "point", 1017);
        scalar(601, "lseg", 1018);
        scalar(602, "path", 1019);
        scalar(603, "box", 1020);
        scalar(604, "polygon", 1027);
        scalar(628, "line", 629);
        scalar(718, "circle", 719);
        scalar(650, "cidr", 651);
        scalar(700, "float4", 1021);
        scalar(701, "float8", 1022);
        scalar(790, "money", 791);
        scalar(774, "macaddr8", 775);
        scalar(829, "macaddr", 1040);
        scalar(869, "inet", 1041);
        scalar(1042, "bpchar", 1014);
        scalar(1043, "varchar", 1015);
        scalar(1082, "date", 1182);
        scalar(1083, "time", 1183);
        scalar(1114, "timestamp", 1115);
        scalar(1184, "timestamptz", 1185);
        scalar(1186, "interval", 1187);
        scalar(1266, "timetz", 1270);
        scalar(1560, "bit", 1561);
        scalar(1562, "varbit", 1563);
        scalar(1700, "numeric", 1231);
        scalar(2950, "uuid", 2951);
        scalar(3614, "tsvector", 3643);
        scalar(3615, "tsquery", 3645);
        scalar(3802, "jsonb", 3807);
        scalar(4072, "jsonpath", 4073);
        scalar(3904, "int4range", 3905);
        scalar(3906, "numrange", 3907);
        scalar(3908, "tsrange", 3909);
        scalar(3910, "tstzrange", 3911);
        scalar(3912, "daterange", 3913);
        scalar(3926, "int8range", 3927);
        NAMES.put(1009, "text[]");
    }

    private TypeNames() {
    }

    private static void scalar(int oid, String name, int arrayOid) {
        NAMES.put(oid, name);
        NAMES.put(arrayOid, name + "[]");
    }

    /**
     * The name to cast a literal of type {@code oid} to, or null for no cast: for 0 (let the server
     * infer), text (25) and unknown (705) — a plain string constant already behaves as those — and for
     * oids not in the table.
     */
    static String castName(int oid) {
        return NAMES.get(oid);
    }

    /** The whole table, oid → cast name (for tests that check it against a server). */
    static Map<Integer, String> all() {
        return Map.copyOf(NAMES);
    }
}
