package dev.tusk;

import java.util.LinkedHashMap;
import java.util.Map;

/** STUB until the conninfo branch lands. */
public final class Conninfo {
    private Conninfo() {
    }

    public static Map<String, String> parse(String conninfo) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : conninfo.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                int eq = part.indexOf('=');
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }
}
