package dev.tusk;

import java.util.List;

/**
 * One row of {@code pg_settings}: a server configuration parameter as the session sees it.
 *
 * @param name       the parameter name
 * @param value      the current value, as text (see {@code unit})
 * @param unit       the implicit unit of {@code value} ("kB", "8kB", "ms", "s"...), or null
 * @param vartype    bool, enum, integer, real or string
 * @param source     where the value comes from: default, configuration file, session, client...
 * @param context    when it can change: internal, postmaster, sighup, superuser, user...
 * @param minValue   the minimum for numeric parameters, else null
 * @param maxValue   the maximum for numeric parameters, else null
 * @param enumValues the allowed values of an enum parameter, else an empty list
 * @param resetValue the value RESET returns to
 * @param pendingRestart true when the configuration file changed it but a restart is needed
 * @param description the short description
 */
public record Setting(String name, String value, String unit, String vartype, String source, String context,
                      String minValue, String maxValue, List<String> enumValues, String resetValue,
                      boolean pendingRestart, String description) {

    /** The value as a long in the parameter's unit (integer parameters). */
    public long longValue() {
        return Long.parseLong(value.trim());
    }

    /** The value as a boolean (bool parameters). */
    public boolean booleanValue() {
        return value.equals("on") || value.equals("true");
    }
}
