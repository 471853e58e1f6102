package dev.tusk.jdbc.internal;

import java.util.List;
import java.util.Locale;

/**
 * The {@code {fn name(args)}} escapes of JDBC's appendix C, in PostgreSQL's SQL, as pgjdbc translates them; a
 * function with no translation is passed through as written (PostgreSQL has most of them under the same name).
 */
final class EscapedFunctions {
    private EscapedFunctions() {
    }

    static String translate(String call) {
        int open = call.indexOf('(');
        if (open < 0 || !call.endsWith(")")) {
            return translate(call.trim(), List.of(), call);
        }
        String name = call.substring(0, open).trim();
        List<String> args = SqlRewriter.splitArgs(call.substring(open + 1, call.length() - 1));
        return translate(name, args, call);
    }

    private static String translate(String name, List<String> a, String original) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "ucase" -> "upper(" + a.get(0) + ")";
            case "lcase" -> "lower(" + a.get(0) + ")";
            case "concat" -> "(" + String.join(" || ", a) + ")";
            case "length" -> "length(trim(trailing from " + a.get(0) + "))";
            case "char_length", "character_length" -> "char_length(" + a.get(0) + ")";
            case "locate" -> a.size() == 2 ? "position(" + a.get(0) + " in " + a.get(1) + ")"
                    : "(" + a.get(2) + " - 1 + position(" + a.get(0) + " in substring(" + a.get(1) + " from " + a.get(2) + ")))";
            case "insert" -> "overlay(" + a.get(0) + " placing " + a.get(3) + " from " + a.get(1) + " for " + a.get(2) + ")";
            case "space" -> "repeat(' ', " + a.get(0) + ")";
            case "ifnull" -> "coalesce(" + String.join(", ", a) + ")";
            case "database" -> "current_database()";
            case "user" -> "user";
            case "now" -> "now()";
            case "curdate", "current_date" -> "current_date";
            case "curtime", "current_time" -> "current_time";
            case "current_timestamp" -> "current_timestamp";
            case "dayname" -> "to_char(" + a.get(0) + ", 'Day')";
            case "monthname" -> "to_char(" + a.get(0) + ", 'Month')";
            case "dayofmonth" -> "extract(day from " + a.get(0) + ")";
            case "dayofweek" -> "(extract(dow from " + a.get(0) + ") + 1)";
            case "dayofyear" -> "extract(doy from " + a.get(0) + ")";
            case "year", "month", "hour", "minute", "quarter", "week" -> "extract(" + n + " from " + a.get(0) + ")";
            case "second" -> "extract(second from " + a.get(0) + ")";
            case "ceiling" -> "ceil(" + a.get(0) + ")";
            case "log" -> "ln(" + a.get(0) + ")";
            case "log10" -> "log(" + a.get(0) + ")";
            case "truncate" -> "trunc(" + String.join(", ", a) + ")";
            case "rand" -> "random()";
            case "atan2" -> "atan2(" + String.join(", ", a) + ")";
            case "convert" -> "cast(" + a.get(0) + " as " + convertType(a.get(1)) + ")";
            case "timestampadd" -> "(" + a.get(2) + " + (" + a.get(1) + ") * interval '1 " + interval(a.get(0)) + "')";
            case "timestampdiff" -> "extract(epoch from (" + a.get(2) + " - " + a.get(1) + ")) / extract(epoch from interval '1 "
                    + interval(a.get(0)) + "')";
            default -> original;
        };
    }

    private static String interval(String sqlTsi) {
        String s = sqlTsi.toUpperCase(Locale.ROOT).replace("SQL_TSI_", "");
        return switch (s) {
            case "FRAC_SECOND" -> "microsecond";
            default -> s.toLowerCase(Locale.ROOT);
        };
    }

    private static String convertType(String sqlType) {
        String t = sqlType.toUpperCase(Locale.ROOT).replace("SQL_", "");
        return switch (t) {
            case "BIGINT" -> "int8";
            case "INTEGER" -> "int4";
            case "SMALLINT", "TINYINT" -> "int2";
            case "DOUBLE", "FLOAT" -> "float8";
            case "REAL" -> "float4";
            case "VARCHAR", "LONGVARCHAR", "CHAR" -> "varchar";
            case "BIT", "BOOLEAN" -> "bool";
            case "BINARY", "VARBINARY", "LONGVARBINARY" -> "bytea";
            default -> t.toLowerCase(Locale.ROOT);
        };
    }
}
