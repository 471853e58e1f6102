package dev.tusk.internal.op;

import dev.tusk.internal.core.SessionState;
import dev.tusk.types.DateTimeAdapters;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/**
 * The session's {@code TimeZone} as a ZoneId, for binary timestamptz values: resolved once per value of the
 * parameter, not once per loaded value (a field read while the server has not changed it).
 */
public final class SessionZone implements Supplier<ZoneId> {
    private record Resolved(String name, ZoneId zone) {
    }

    private final SessionState session;
    private volatile Resolved resolved = new Resolved(null, ZoneOffset.UTC);

    public SessionZone(SessionState session) {
        this.session = session;
    }

    @Override
    public ZoneId get() {
        String name = session.timeZoneName();
        Resolved r = resolved;
        if (r.name() != name) { // a new ParameterStatus: a new String
            r = new Resolved(name, name == null ? ZoneOffset.UTC : DateTimeAdapters.zoneOf(name));
            resolved = r;
        }
        return r.zone();
    }
}
