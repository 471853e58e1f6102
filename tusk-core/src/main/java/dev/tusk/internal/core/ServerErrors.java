package dev.tusk.internal.core;

import dev.tusk.errors.DataException;
import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.IntegrityException;
import dev.tusk.errors.InternalException;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;

/** Turns a server ErrorResponse into the exception class of its SQLSTATE. */
public final class ServerErrors {
    private ServerErrors() {
    }

    public static DatabaseException fromDiagnostic(Diagnostic d) {
        String msg = message(d);
        String state = d.sqlstate() == null ? "" : d.sqlstate();
        String cls = state.length() >= 2 ? state.substring(0, 2) : "";
        return switch (cls) {
            case "22" -> new DataException(msg, null, d);
            case "23" -> new IntegrityException(msg, null, d);
            case "0A" -> new NotSupportedException(msg, null, d);
            case "42", "26", "2F", "34", "3D", "3F", "44", "24", "25", "2B", "2D", "0B", "0L", "0P", "28" ->
                    cls.equals("28") ? new OperationalException(msg, null, d) : new ProgrammingException(msg, null, d);
            case "XX" -> new InternalException(msg, null, d);
            default -> new OperationalException(msg, null, d);
        };
    }

    static String message(Diagnostic d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.messagePrimary() == null ? "(no message)" : d.messagePrimary());
        if (d.messageDetail() != null) {
            sb.append("\nDETAIL:  ").append(d.messageDetail());
        }
        if (d.messageHint() != null) {
            sb.append("\nHINT:  ").append(d.messageHint());
        }
        return sb.toString();
    }
}
