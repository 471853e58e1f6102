package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TuskTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestDatabaseIsolationTest {

    private static String firstDatabase;

    @Test
    @Order(1)
    void createsATableInItsOwnDatabase(TestDatabase db) {
        db.admin("CREATE TABLE left_behind (id int); INSERT INTO left_behind VALUES (1)");
        assertThat(db.adminQuery("SELECT count(*) FROM left_behind")).isEqualTo("1");
        assertThat(db.adminQuery("SELECT current_database()")).isEqualTo(db.dbname());
        firstDatabase = db.dbname();
    }

    @Test
    @Order(2)
    void nextTestGetsAFreshDatabaseAndThePreviousOneIsDropped(TestDatabase db) {
        assertThat(db.dbname()).isNotEqualTo(firstDatabase);
        assertThat(db.adminQuery("SELECT to_regclass('left_behind') IS NULL")).isEqualTo("t");
        assertThat(db.adminQuery("SELECT count(*) FROM pg_database WHERE datname = '" + firstDatabase + "'"))
                .isEqualTo("0");
    }

    @Test
    @Order(3)
    void databaseNameIsReadableFromTheTestName(TestDatabase db) {
        assertThat(db.dbname()).startsWith("t_testdatabaseisolationtest_databasenameisreadable")
                .matches("[a-z0-9_]{1,63}");
    }

    @Test
    @Order(4)
    void sameDatabaseForEveryParameterOfOneTest(TestDatabase a, TestDatabase b) {
        assertThat(a).isSameAs(b);
    }

    @Test
    @Order(5)
    void passwordRolesMayCreateTablesInTheTestDatabase(TestDatabase db) {
        db.admin("SET ROLE " + db.scramUser() + "; CREATE TABLE owned_by_scram (id int)");
        assertThat(db.adminQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'owned_by_scram'"))
                .isEqualTo(db.scramUser());
    }
}
