package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

@TuskTest
class ConstructorInjectionTest {

    private final TestDatabase db;
    private final PostgresServer server;

    ConstructorInjectionTest(TestDatabase db, PostgresServer server) {
        this.db = db;
        this.server = server;
    }

    @Test
    void constructorParametersAreResolved() {
        assertThat(db.server()).isSameAs(server);
        assertThat(db.dbname()).startsWith("t_constructorinjectiontest");
        assertThat(db.adminQuery("SELECT current_database()")).isEqualTo(db.dbname());
    }
}
