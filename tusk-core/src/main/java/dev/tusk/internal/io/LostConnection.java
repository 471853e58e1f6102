package dev.tusk.internal.io;

import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.SqlState;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ProtocolCore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * The error a lost connection raises, the same for both drivers: when the server said why before closing (a
 * FATAL ErrorResponse: shutdown, pg_terminate_backend, idle_session_timeout) the class of its SQLSTATE
 * ({@code AdminShutdown} for 57P01, as psycopg) with its words; otherwise "connection to the server lost" and the
 * I/O error. The message always ends saying the connection is broken.
 */
public final class LostConnection {
    private LostConnection() {
    }

    /** The error for a connection whose socket failed with {@code e} (null: end of stream). No side effects. */
    public static OperationalException error(ProtocolCore core, IOException e) {
        Diagnostic fatal = core.fatalWhileIdle();
        if (fatal == null) {
            fatal = fatalSentToRunningCommand(core);
        }
        if (fatal != null) {
            String why = "the server closed the connection: " + SqlState.create(fatal).getMessage()
                    + "; the connection is broken, open a new one";
            TuskException typed = SqlState.withMessage(fatal, why);
            OperationalException ex = typed instanceof OperationalException oe ? oe : new OperationalException(why, typed, fatal);
            if (e != null) {
                ex.addSuppressed(e);
            }
            return ex;
        }
        // ClosedByInterruptException: the TCP socket is a channel's, which the JDK closes when the thread doing its
        // I/O is interrupted (the Unix-domain transport does the same); its message is null
        if (e instanceof InterruptedIOException || e instanceof ClosedByInterruptException) {
            return new OperationalException("the operation was interrupted, so the connection is in an unknown state; "
                    + "the connection is broken, open a new one", e);
        }
        return new OperationalException("connection to the server lost" + (e == null ? " (end of stream)" : ": "
                + e.getMessage()) + "; the connection is broken, open a new one", e);
    }

    /** A FATAL (or PANIC) ErrorResponse the server sent to the command in progress before the stream ended. */
    private static Diagnostic fatalSentToRunningCommand(ProtocolCore core) {
        Command head = core.head();
        TuskException err = head == null ? null : head.error();
        if (err == null) {
            return null;
        }
        Diagnostic d = err.diag();
        if (d == null) {
            return null;
        }
        String severity = d.severityNonlocalized() != null ? d.severityNonlocalized() : d.severity();
        return "FATAL".equals(severity) || "PANIC".equals(severity) ? d : null;
    }
}
