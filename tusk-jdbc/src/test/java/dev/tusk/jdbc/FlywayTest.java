package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Flyway 13 migrating through TuskDataSource: versioned and repeatable migrations, then validate and info. */
@TuskTest
@Timeout(180)
class FlywayTest {
    private static Flyway flyway(TestDatabase db) {
        return Flyway.configure().dataSource(Jdbc.dataSource(db)).locations("classpath:db/flyway").load();
    }

    @Test
    void migrateValidateAndInfo(TestDatabase db) throws Exception {
        Flyway flyway = flyway(db);
        MigrateResult result = flyway.migrate();
        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isEqualTo(4);
        assertThat(result.targetSchemaVersion).isEqualTo("3");
        assertThat(result.database).isEqualTo(db.dbname());

        flyway.validate(); // throws if anything differs

        MigrationInfo[] all = flyway.info().all();
        assertThat(all).hasSize(4);
        assertThat(all).allMatch(m -> m.getState() == MigrationState.SUCCESS);
        assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("3");
        assertThat(flyway.info().pending()).isEmpty();

        // the schema works: the function and the view the migrations made
        try (Connection c = Jdbc.dataSource(db).getConnection()) {
            c.createStatement().execute("SELECT transfer(1, 2, 25)");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT owner, balance, moves FROM balances ORDER BY owner")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ada");
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("75");
                assertThat(rs.getLong(3)).isEqualTo(1);
            }
        }

        // a second run has nothing to do
        MigrateResult again = flyway(db).migrate();
        assertThat(again.migrationsExecuted).isZero();
    }
}
