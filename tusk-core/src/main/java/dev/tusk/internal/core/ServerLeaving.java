package dev.tusk.internal.core;

import dev.tusk.errors.Diagnostic;

/**
 * Recognises the notice by which a backend announces that it is terminating the connection without an
 * ErrorResponse: on an immediate shutdown or after another backend crashed, PostgreSQL sends a WARNING with
 * SQLSTATE 57P01 (admin_shutdown), 57P02 (crash_shutdown) or 57P03 (cannot_connect_now), then closes the socket.
 * Knowing it lets an idle connection be found dead from the bytes already received, before the end of the stream
 * is seen, and lets the lost-connection error say why.
 */
final class ServerLeaving {
    private ServerLeaving() {
    }

    static boolean announces(Diagnostic notice) {
        String code = notice.sqlstate();
        return "57P01".equals(code) || "57P02".equals(code) || "57P03".equals(code);
    }
}
