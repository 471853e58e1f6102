package dev.tusk;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ServerSettings} for an {@link AsyncConnection}: the same typed view of {@code pg_settings} and
 * {@code set_config}, with futures.
 *
 * <pre>{@code
 * conn.settings().get("work_mem").thenAccept(s -> System.out.println(s.value() + " " + s.unit()));
 * conn.settings().set("work_mem", "64MB", false);
 * }</pre>
 */
public final class AsyncServerSettings {
    private final AsyncConnection<?> conn;

    AsyncServerSettings(AsyncConnection<?> conn) {
        this.conn = conn;
    }

    /** The named parameter; fails with a ProgrammingException when the server has none of that name. */
    public CompletableFuture<Setting> get(String name) {
        return conn.newCursor(Rows.row()).execute(ServerSettings.GET_SQL, name).thenApply(c -> ServerSettings.single(c.fetchall(), name));
    }

    /** Every parameter, by name. */
    public CompletableFuture<Map<String, Setting>> all() {
        return conn.newCursor(Rows.row()).execute(ServerSettings.ALL_SQL).thenApply(ServerSettings::byName);
    }

    /** The current value as text ({@code current_setting}), in the server's display form ("4MB"). */
    public CompletableFuture<String> show(String name) {
        return conn.newCursor(Rows.row()).execute(ServerSettings.SHOW_SQL, name).thenApply(c -> c.fetchone().getString(0));
    }

    /** Sets a parameter for the session, or for the current transaction only when {@code local}; the new value. */
    public CompletableFuture<String> set(String name, String value, boolean local) {
        return conn.newCursor(Rows.row()).execute(ServerSettings.SET_SQL, name, value, String.valueOf(local))
                .thenApply(c -> c.fetchone().getString(0));
    }
}
