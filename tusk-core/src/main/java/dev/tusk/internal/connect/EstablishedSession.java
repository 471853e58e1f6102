package dev.tusk.internal.connect;

import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.observe.Observer;

/**
 * A connected, authenticated session, as both drivers' connections see it once made: its protocol core, where it is
 * (the host and parameters it was made with, whether over TLS: what its info shows and a cancel request needs) and
 * who hears of its events.
 */
public interface EstablishedSession {
    ProtocolCore core();

    HostSpec host();

    ConnParams params();

    /** Whether the session runs over TLS (a cancel request goes the same way). */
    boolean tls();

    /** The listeners' observer, or null: nobody listens. */
    Observer observer();
}
