package dev.tusk.errors;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * From a server error to the exception class of its SQLSTATE, as psycopg's {@code errors} module.
 *
 * <p>Every PostgreSQL condition has its own class (e.g. {@link UniqueViolation} for 23505), which
 * extends the class-level condition of its SQLSTATE class (e.g. {@link IntegrityConstraintViolation},
 * 23000), which extends the DB-API class psycopg uses for that SQLSTATE class (e.g.
 * {@link IntegrityException}). So {@code catch (UniqueViolation e)}, {@code catch
 * (IntegrityConstraintViolation e)} and {@code catch (IntegrityException e)} all catch a duplicate
 * key. (psycopg's classes derive from the DB-API class directly; the class-level layer is Tusk's.)
 * Two conditions are the DB-API classes themselves: 22000 data_exception is {@link DataException}
 * and XX000 internal_error is {@link InternalException}.
 *
 * <pre>{@code
 * Class<? extends DatabaseException> c = SqlState.lookup("unique_violation");  // UniqueViolation.class
 * SqlState.lookup("40001");                                                   // SerializationFailure.class
 *
 * DatabaseException e = SqlState.create(diag, "INSERT INTO t VALUES (1)");
 * throw e;
 * }</pre>
 */
public final class SqlState {
    private SqlState() {
    }

    /**
     * The exception for a server ErrorResponse: see {@link #create(Diagnostic, String)}; without the
     * query, a statement position is shown as {@code " at character N"}.
     */
    public static DatabaseException create(Diagnostic diag) {
        return create(diag, null);
    }

    /**
     * The exception for a server ErrorResponse, ready to throw. Its class is, in this order: the class
     * of the exact SQLSTATE; for a code this version does not know, the class-level condition of its
     * first two characters (an unknown "23xxx" becomes an {@link IntegrityConstraintViolation}), else
     * the DB-API class for its prefix ({@link #baseClassFor(String)}); without any SQLSTATE, an
     * {@link OperationalException} for a FATAL or PANIC severity, else a {@link DatabaseException}.
     * {@link TuskException#sqlstate()} always reports the code the server sent.
     *
     * @param diag the fields of the ErrorResponse
     * @param query the query the error is about, to show the error position in it; {@code null} if unknown
     * @return the exception, with its message built by {@link ServerMessages#format(Diagnostic, String)}
     */
    public static DatabaseException create(Diagnostic diag, String query) {
        Objects.requireNonNull(diag, "diag");
        return build(diag, ServerMessages.format(diag, query));
    }

    /**
     * The exception class {@link #create(Diagnostic, String)} would choose for {@code diag}, with the
     * client's own {@code message}: for an account that adds to the server's words, such as a FATAL
     * error followed by the end of the connection ("the server closed the connection: ...").
     */
    public static DatabaseException withMessage(Diagnostic diag, String message) {
        Objects.requireNonNull(diag, "diag");
        return build(diag, message);
    }

    private static DatabaseException build(Diagnostic diag, String message) {
        String code = diag.sqlstate();
        if (code != null) {
            DatabaseException e = SqlStateTable.create(code, message, diag);
            if (e == null && code.length() >= 2 && !code.endsWith("000")) {
                e = SqlStateTable.create(code.substring(0, 2) + "000", message, diag);
            }
            if (e == null) {
                e = newDbapi(baseClassFor(code), message, diag);
            }
            if (e.getClass() != DatabaseException.class) {
                return e;
            }
        }
        String severity = diag.severityNonlocalized() != null ? diag.severityNonlocalized() : diag.severity();
        if ("FATAL".equals(severity) || "PANIC".equals(severity)) {
            return new OperationalException(message, null, diag);
        }
        return new DatabaseException(message, null, diag);
    }

    /**
     * The exception class for a SQLSTATE code ({@code "23505"}) or a condition name in any case
     * ({@code "UNIQUE_VIOLATION"}, {@code "unique_violation"}), as psycopg's {@code errors.lookup}.
     * A name two conditions share (modifying_sql_data_not_permitted, prohibited_sql_statement_attempted,
     * reading_sql_data_not_permitted, null_value_not_allowed) gives the later one, as in psycopg:
     * use the code to choose.
     *
     * @throws ProgrammingException if no condition has that code or name
     */
    public static Class<? extends DatabaseException> lookup(String codeOrName) {
        return find(codeOrName).orElseThrow(() -> new ProgrammingException(
                "unknown SQLSTATE or condition name '" + codeOrName + "': give a five-character code such as"
                        + " \"23505\" or a PostgreSQL condition name such as \"unique_violation\""));
    }

    /** As {@link #lookup(String)}, empty instead of throwing for an unknown code or name. */
    public static Optional<Class<? extends DatabaseException>> find(String codeOrName) {
        if (codeOrName == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(SqlStateTable.classFor(codeOrName.trim().toUpperCase(Locale.ROOT)));
    }

    /**
     * The DB-API class psycopg raises for a SQLSTATE it has no class for, chosen by the code's first
     * two characters, then its first one: 08, 27, 28, 2F, 38, 39, 3B, 40, 53, 54, 55, 57, 58, F and H
     * give {@link OperationalException}; 0A {@link NotSupportedException}; 10, 20, 21, 26, 34, 3D, 3F,
     * 42, 44 and P {@link ProgrammingException}; 22 {@link DataException}; 23
     * {@link IntegrityException}; 24, 25, 2B, 2D and X {@link InternalException}; anything else
     * {@link DatabaseException}.
     */
    public static Class<? extends DatabaseException> baseClassFor(String sqlstate) {
        if (sqlstate == null || sqlstate.isEmpty()) {
            return DatabaseException.class;
        }
        if (sqlstate.length() >= 2) {
            switch (sqlstate.substring(0, 2)) {
                case "08": case "27": case "28": case "2F": case "38": case "39": case "3B": case "40":
                case "53": case "54": case "55": case "57": case "58":
                    return OperationalException.class;
                case "0A":
                    return NotSupportedException.class;
                case "10": case "20": case "21": case "26": case "34": case "3D": case "3F": case "42": case "44":
                    return ProgrammingException.class;
                case "22":
                    return DataException.class;
                case "23":
                    return IntegrityException.class;
                case "24": case "25": case "2B": case "2D":
                    return InternalException.class;
                default:
                    break;
            }
        }
        switch (sqlstate.charAt(0)) {
            case 'F': case 'H':
                return OperationalException.class;
            case 'P':
                return ProgrammingException.class;
            case 'X':
                return InternalException.class;
            default:
                return DatabaseException.class;
        }
    }

    private static DatabaseException newDbapi(Class<? extends DatabaseException> cls, String message, Diagnostic diag) {
        if (cls == OperationalException.class) {
            return new OperationalException(message, null, diag);
        } else if (cls == NotSupportedException.class) {
            return new NotSupportedException(message, null, diag);
        } else if (cls == ProgrammingException.class) {
            return new ProgrammingException(message, null, diag);
        } else if (cls == DataException.class) {
            return new DataException(message, null, diag);
        } else if (cls == IntegrityException.class) {
            return new IntegrityException(message, null, diag);
        } else if (cls == InternalException.class) {
            return new InternalException(message, null, diag);
        }
        return new DatabaseException(message, null, diag);
    }
}
