/**
 * Every exception Tusk throws, unchecked and rooted at {@link dev.tusk.errors.TuskException}, with
 * psycopg's DB-API tree:
 *
 * <pre>
 * TuskException
 * ├── InterfaceException
 * └── DatabaseException
 *     ├── DataException           (SQLSTATE class 22)
 *     ├── OperationalException    (08, 27, 28, 2F, 38, 39, 3B, 40, 53, 54, 55, 57, 58, F0, HV)
 *     ├── IntegrityException      (23)
 *     ├── InternalException       (24, 25, 2B, 2D, XX)
 *     ├── ProgrammingException    (10, 20, 21, 26, 34, 3D, 3F, 42, 44, P0)
 *     └── NotSupportedException   (0A)
 * </pre>
 *
 * <p>Below them, one class per PostgreSQL SQLSTATE condition, named as in psycopg
 * ({@link dev.tusk.errors.UniqueViolation}, {@link dev.tusk.errors.SerializationFailure},
 * {@link dev.tusk.errors.QueryCanceled}, ...), each extending the class-level condition of its
 * SQLSTATE class ({@link dev.tusk.errors.IntegrityConstraintViolation},
 * {@link dev.tusk.errors.TransactionRollback}, {@link dev.tusk.errors.OperatorIntervention}, ...).
 * {@link dev.tusk.errors.SqlState} maps codes and names to classes and builds the exception for a
 * server error; {@link dev.tusk.errors.Diagnostic} holds (and parses) the fields of the server's
 * ErrorResponse. Client-side conditions psycopg names: {@link dev.tusk.errors.PipelineAborted},
 * {@link dev.tusk.errors.ConnectionTimeout}, {@link dev.tusk.errors.CancellationTimeout},
 * {@link dev.tusk.errors.OutOfOrderTransactionNesting}.
 *
 * <pre>{@code
 * for (int attempt = 1; ; attempt++) {
 *     try {
 *         transfer(conn);
 *         break;
 *     } catch (SerializationFailure | DeadlockDetected e) {
 *         if (attempt == 3) throw e;          // retry a transaction the server rolled back
 *     } catch (UniqueViolation e) {
 *         System.err.println(e.diag().constraintName() + ": " + e.getMessage());
 *         break;
 *     }
 * }
 * }</pre>
 *
 * <p>The SQLSTATE classes are written by the build ({@code tusk-core/src/build/GenerateSqlStates.java},
 * run before compiling) from one table, {@code tusk-core/src/build/sqlstates.txt} (PostgreSQL 18's
 * conditions): add a line there to add a class.
 */
package dev.tusk.errors;
