package dev.tusk.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlStateTest {
    private static final Set<Class<?>> DBAPI = Set.of(DataException.class, OperationalException.class,
            IntegrityException.class, InternalException.class, ProgrammingException.class,
            NotSupportedException.class, DatabaseException.class);

    static Diagnostic diag(String severity, String sqlstate, String message) {
        Map<Diagnostic.Field, String> m = new EnumMap<>(Diagnostic.Field.class);
        if (severity != null) {
            m.put(Diagnostic.Field.SEVERITY, severity);
            m.put(Diagnostic.Field.SEVERITY_NONLOCALIZED, severity);
        }
        if (sqlstate != null) {
            m.put(Diagnostic.Field.SQLSTATE, sqlstate);
        }
        if (message != null) {
            m.put(Diagnostic.Field.MESSAGE_PRIMARY, message);
        }
        return new Diagnostic(m);
    }

    /** The nearest DB-API class above {@code cls} (or {@code cls} itself). */
    private static Class<?> dbapiOf(Class<?> cls) {
        Class<?> c = cls;
        while (!DBAPI.contains(c)) {
            c = c.getSuperclass();
        }
        return c;
    }

    @ParameterizedTest(name = "{0} -> {1} < {2} < {3}")
    @CsvSource({
        "23505, UniqueViolation, IntegrityConstraintViolation, IntegrityException",
        "23503, ForeignKeyViolation, IntegrityConstraintViolation, IntegrityException",
        "57014, QueryCanceled, OperatorIntervention, OperationalException",
        "57P01, AdminShutdown, OperatorIntervention, OperationalException",
        "40001, SerializationFailure, TransactionRollback, OperationalException",
        "40P01, DeadlockDetected, TransactionRollback, OperationalException",
        "25006, ReadOnlySqlTransaction, InvalidTransactionState, InternalException",
        "25P02, InFailedSqlTransaction, InvalidTransactionState, InternalException",
        "42P01, UndefinedTable, SyntaxErrorOrAccessRuleViolation, ProgrammingException",
        "42601, SyntaxError, SyntaxErrorOrAccessRuleViolation, ProgrammingException",
        "28P01, InvalidPassword, InvalidAuthorizationSpecification, OperationalException",
        "08P01, ProtocolViolation, ConnectionException, OperationalException",
        "22012, DivisionByZero, DataException, DatabaseException",
        "XX001, DataCorrupted, InternalException, DatabaseException",
        "55P03, LockNotAvailable, ObjectNotInPrerequisiteState, OperationalException",
        "P0001, RaiseException, PlpgsqlError, ProgrammingException",
        "HV00N, FdwUnableToEstablishConnection, FdwError, OperationalException",
        "53300, TooManyConnections, InsufficientResources, OperationalException",
    })
    void mapsConditionToItsClassAndParents(String code, String name, String classLevel, String dbapi) throws Exception {
        DatabaseException e = SqlState.create(diag("ERROR", code, "boom"));

        assertThat(e.getClass().getSimpleName()).isEqualTo(name);
        assertThat(e.getClass().getSuperclass().getSimpleName()).isEqualTo(classLevel);
        assertThat(e).isInstanceOf(Class.forName("dev.tusk.errors." + dbapi));
        assertThat(e.sqlstate()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo("boom");
        assertThat(e.diag().messagePrimary()).isEqualTo("boom");
    }

    @ParameterizedTest
    @CsvSource({
        "0A000, FeatureNotSupported, NotSupportedException",
        "10608, InvalidArgumentForXquery, ProgrammingException",
        "02000, NoData, DatabaseException",
        "72000, SnapshotTooOld, DatabaseException",
        "40000, TransactionRollback, OperationalException",
        "23000, IntegrityConstraintViolation, IntegrityException",
    })
    void classLevelConditionsExtendTheDbapiClassDirectly(String code, String name, String parent) {
        DatabaseException e = SqlState.create(diag("ERROR", code, "m"));
        assertThat(e.getClass().getSimpleName()).isEqualTo(name);
        assertThat(e.getClass().getSuperclass().getSimpleName()).isEqualTo(parent);
    }

    @Test
    void dataExceptionAndInternalErrorAreTheDbapiClassesThemselves() {
        assertThat(SqlState.create(diag("ERROR", "22000", "m"))).isExactlyInstanceOf(DataException.class);
        assertThat(SqlState.create(diag("ERROR", "XX000", "m"))).isExactlyInstanceOf(InternalException.class);
        assertThat(SqlState.lookup("data_exception")).isEqualTo(DataException.class);
        assertThat(SqlState.lookup("INTERNAL_ERROR")).isEqualTo(InternalException.class);
    }

    @Test
    void everyConditionIsUnderTheDbapiClassPsycopgUsesForItsPrefix() throws Exception {
        List<String> codes = new ArrayList<>();
        for (String key : SqlStateTable.keys()) {
            if (key.length() == 5 && !key.contains("_")) {
                codes.add(key);
            }
        }
        assertThat(codes).hasSize(SqlStateTable.SIZE).hasSizeGreaterThanOrEqualTo(250)
                .contains("23505", "10608", "25P04", "58P03", "2203G");

        for (String code : codes) {
            Class<? extends DatabaseException> cls = SqlState.lookup(code);
            assertThat(dbapiOf(cls)).as(code).isEqualTo(SqlState.baseClassFor(code));

            DatabaseException e = SqlState.create(diag("ERROR", code, "m"));
            assertThat(e).as(code).isExactlyInstanceOf(cls);
            assertThat(e.sqlstate()).isEqualTo(code);

            if (!DBAPI.contains(cls)) {
                assertThat(Modifier.isPublic(cls.getModifiers())).isTrue();
                assertThat(cls.getField("SQLSTATE").get(null)).as(cls.getSimpleName()).isEqualTo(code);
                String name = (String) cls.getField("NAME").get(null);
                assertThat(name).matches("[a-z0-9_]+");
                // A name shared by two conditions leads to one of them: the class must carry that name.
                assertThat(SqlState.lookup(name).getField("NAME").get(null)).isEqualTo(name);
                // Client-side instances report the class's own code.
                DatabaseException local = cls.getConstructor(String.class).newInstance("x");
                assertThat(local.sqlstate()).isEqualTo(code);
                assertThat(local.diag()).isSameAs(Diagnostic.EMPTY);
            }
        }
    }

    @Test
    void eachConditionIsCatchableAsItsOwnType() {
        String caught;
        try {
            throw SqlState.create(diag("ERROR", "23505", "duplicate key value violates unique constraint \"t_pkey\""));
        } catch (UniqueViolation e) {
            caught = "unique:" + e.sqlstate();
        } catch (IntegrityException e) {
            caught = "integrity";
        }
        assertThat(caught).isEqualTo("unique:23505");

        try {
            throw SqlState.create(diag("ERROR", "40P01", "deadlock detected"));
        } catch (SerializationFailure e) {
            caught = "serialization";
        } catch (TransactionRollback e) {
            caught = "rollback:" + e.getClass().getSimpleName();
        }
        assertThat(caught).isEqualTo("rollback:DeadlockDetected");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "ERROR, 23999, IntegrityConstraintViolation",
        "ERROR, 40ZZZ, TransactionRollback",
        "ERROR, 22ZZZ, DataException",
        "ERROR, 57P99, OperatorIntervention",
        "ERROR, 10999, ProgrammingException",
        "ERROR, HW123, OperationalException",
        "ERROR, P9999, ProgrammingException",
        "ERROR, XY123, InternalException",
        "ERROR, ZZ999, DatabaseException",
        "FATAL, ZZ999, OperationalException",
        "PANIC, ZZ999, OperationalException",
        "FATAL, 57P01, AdminShutdown",
        "FATAL, 23505, UniqueViolation",
        "ERROR, 2, DatabaseException",
    })
    void unknownCodesFallBackByClassThenPrefixThenSeverity(String severity, String code, String expected) {
        DatabaseException e = SqlState.create(diag(severity, code, "m"));
        assertThat(e.getClass().getSimpleName()).isEqualTo(expected);
        assertThat(e.sqlstate()).as("the code the server sent is kept").isEqualTo(code);
    }

    @Test
    void noSqlstateFallsBackBySeverityLocalizedOrNot() {
        assertThat(SqlState.create(diag("ERROR", null, "m"))).isExactlyInstanceOf(DatabaseException.class);
        assertThat(SqlState.create(diag("FATAL", null, "m"))).isExactlyInstanceOf(OperationalException.class);
        assertThat(SqlState.create(Diagnostic.EMPTY)).isExactlyInstanceOf(DatabaseException.class);
        // Only the localized severity (servers before 9.6 send no 'V'): "FATAL" still counts.
        Diagnostic onlyS = new Diagnostic(Map.of(Diagnostic.Field.SEVERITY, "FATAL"));
        assertThat(SqlState.create(onlyS)).isExactlyInstanceOf(OperationalException.class);
        // A localized severity does not hide the non-localized one.
        Diagnostic german = new Diagnostic(Map.of(Diagnostic.Field.SEVERITY, "FATAL",
                Diagnostic.Field.SEVERITY_NONLOCALIZED, "ERROR"));
        assertThat(SqlState.create(german)).isExactlyInstanceOf(DatabaseException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "23505, UniqueViolation", "UNIQUE_VIOLATION, UniqueViolation", "unique_violation, UniqueViolation",
        "Unique_Violation, UniqueViolation", "40001, SerializationFailure", "query_canceled, QueryCanceled",
        "2200b, EscapeCharacterConflict", "in_failed_sql_transaction, InFailedSqlTransaction",
        "2F002, ModifyingSqlDataNotPermitted", "38002, ModifyingSqlDataNotPermittedExt",
        "modifying_sql_data_not_permitted, ModifyingSqlDataNotPermittedExt",
        "22004, NullValueNotAllowed", "39004, NullValueNotAllowedExt",
    })
    void lookupAcceptsCodesAndNamesInAnyCase(String key, String expected) {
        assertThat(SqlState.lookup(key).getSimpleName()).isEqualTo(expected);
        assertThat(SqlState.find(key)).contains(SqlState.lookup(key));
    }

    @Test
    void lookupOfUnknownKeyNamesItAndSaysWhatToGive() {
        assertThatThrownBy(() -> SqlState.lookup("no_such_condition"))
                .isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("'no_such_condition'")
                .hasMessageContaining("\"23505\"");
        assertThat(SqlState.find("99999")).isEmpty();
        assertThat(SqlState.find(null)).isEmpty();
        assertThat(SqlState.find("01000")).as("warnings are not errors").isEmpty();
    }

    @Test
    void baseClassForFollowsPsycopgPrefixes() {
        assertThat(SqlState.baseClassFor("08006")).isEqualTo(OperationalException.class);
        assertThat(SqlState.baseClassFor("0A000")).isEqualTo(NotSupportedException.class);
        assertThat(SqlState.baseClassFor("25P02")).isEqualTo(InternalException.class);
        assertThat(SqlState.baseClassFor("2BP01")).isEqualTo(InternalException.class);
        assertThat(SqlState.baseClassFor("3D000")).isEqualTo(ProgrammingException.class);
        assertThat(SqlState.baseClassFor("F0000")).isEqualTo(OperationalException.class);
        assertThat(SqlState.baseClassFor("HV000")).isEqualTo(OperationalException.class);
        assertThat(SqlState.baseClassFor("0B000")).isEqualTo(DatabaseException.class);
        assertThat(SqlState.baseClassFor("")).isEqualTo(DatabaseException.class);
        assertThat(SqlState.baseClassFor(null)).isEqualTo(DatabaseException.class);
    }

    @Test
    void clientSideExceptionsHaveTheirPsycopgParentsAndNoSqlstate() {
        assertThat(new PipelineAborted("skipped")).isInstanceOf(OperationalException.class);
        assertThat(new ConnectionTimeout("connection timeout expired")).isInstanceOf(OperationalException.class);
        assertThat(new CancellationTimeout("t")).isInstanceOf(OperationalException.class);
        assertThat(new OutOfOrderTransactionNesting("t")).isInstanceOf(ProgrammingException.class);
        assertThat(new PipelineAborted("skipped").sqlstate()).isNull();
        assertThat(new DataException("client side").sqlstate()).isNull();
        assertThat(new DataException("server", null, diag("ERROR", "22000", "m")).sqlstate()).isEqualTo("22000");
    }

    @Test
    void exceptionsSurviveJavaSerializationWithTheirDiagnostic() throws Exception {
        DatabaseException e = SqlState.create(diag("ERROR", "23505", "dup"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        Object back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }
        assertThat(back).isExactlyInstanceOf(UniqueViolation.class);
        UniqueViolation u = (UniqueViolation) back;
        assertThat(u.diag()).isEqualTo(e.diag());
        assertThat(u.sqlstate()).isEqualTo("23505");
        assertThat(u.getMessage()).isEqualTo("dup");
    }
}
