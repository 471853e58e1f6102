package dev.tusk;

import dev.tusk.errors.ProgrammingException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's whole configuration, one call away: typed access to {@code pg_settings} and
 * {@code set_config}.
 *
 * <pre>{@code
 * Setting wm = conn.settings().get("work_mem");            // value "4096", unit "kB", source "default"
 * conn.settings().set("work_mem", "64MB", false);           // for the session (true: this transaction only)
 * }</pre>
 */
public final class ServerSettings {
    static final String COLUMNS = "name, setting, unit, vartype, source, context, min_val, max_val, "
            + "array_to_string(enumvals, chr(1)), reset_val, pending_restart::text, short_desc";

    private final Connection<?> conn;

    ServerSettings(Connection<?> conn) {
        this.conn = conn;
    }

    /** The named parameter; a ProgrammingException when the server has none of that name. */
    public Setting get(String name) {
        return single(conn.cursor(Rows.row()).execute(GET_SQL, name).fetchall(), name);
    }

    static final String GET_SQL = "SELECT " + COLUMNS + " FROM pg_settings WHERE name = %s";
    static final String ALL_SQL = "SELECT " + COLUMNS + " FROM pg_settings ORDER BY name";
    static final String SHOW_SQL = "SELECT current_setting(%s)";
    static final String SET_SQL = "SELECT set_config(%s, %s, %s::bool)";

    static Setting single(List<Row> rows, String name) {
        if (rows.isEmpty()) {
            throw new ProgrammingException("unrecognized configuration parameter \"" + name + "\"");
        }
        return toSetting(rows.get(0));
    }

    static Map<String, Setting> byName(Iterable<Row> rows) {
        Map<String, Setting> m = new LinkedHashMap<>();
        for (Row r : rows) {
            Setting s = toSetting(r);
            m.put(s.name(), s);
        }
        return m;
    }

    /** Every parameter, by name. */
    public Map<String, Setting> all() {
        return byName(conn.cursor(Rows.row()).execute(ALL_SQL));
    }

    /** The current value as text ({@code current_setting}), in the server's display form ("4MB"). */
    public String show(String name) {
        return conn.cursor(Rows.row()).execute(SHOW_SQL, name).fetchone().getString(0);
    }

    /**
     * Sets a parameter with {@code set_config}: for the session, or for the current transaction only
     * when {@code local} is true. Returns the new value as the server reports it.
     */
    public String set(String name, String value, boolean local) {
        return conn.cursor(Rows.row()).execute(SET_SQL, name, value, String.valueOf(local))
                .fetchone().getString(0);
    }

    private static Setting toSetting(Row r) {
        String enums = r.getString(8);
        List<String> enumValues = enums == null || enums.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(enums.split("\u0001")));
        return new Setting(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                r.getString(6), r.getString(7), List.copyOf(enumValues), r.getString(9), "true".equals(r.getString(10)),
                r.getString(11));
    }
}
