package dev.tusk.internal.conninfo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** STUB until the conninfo branch lands. */
public final class ConnParams {
    private final Map<String, String> map;

    private ConnParams(Map<String, String> map) {
        this.map = map;
    }

    public static ConnParams resolve(Map<String, String> explicit) {
        Map<String, String> m = new LinkedHashMap<>(explicit);
        return new ConnParams(m);
    }

    public List<HostSpec> hosts() {
        return List.of(new HostSpec(map.getOrDefault("host", "localhost"), map.get("hostaddr"),
                Integer.parseInt(map.getOrDefault("port", "5432"))));
    }

    public String passwordFor(HostSpec h) {
        return map.get("password");
    }

    public String dbname() {
        return map.getOrDefault("dbname", user());
    }

    public String user() {
        return map.getOrDefault("user", System.getProperty("user.name"));
    }

    public String sslmode() {
        return map.getOrDefault("sslmode", "prefer");
    }

    public Duration connectTimeout() {
        String s = map.get("connect_timeout");
        return s == null || s.equals("0") ? null : Duration.ofSeconds(Math.max(2, Integer.parseInt(s)));
    }

    public String applicationName() {
        return map.get("application_name");
    }

    public String options() {
        return map.get("options");
    }

    public String get(String key) {
        return map.get(key);
    }

    public Map<String, String> asMap() {
        return map;
    }

    public String dsn() {
        StringBuilder sb = new StringBuilder();
        map.forEach((k, v) -> {
            if (!k.equals("password")) {
                sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }
}
