package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.test.TestKit;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcOperations;

/** The R2DBC TCK (r2dbc-spi-test 1.0's TestKit), binding by 0-based index. */
@TuskTest
@Timeout(60)
class TestKitByIndexTest implements TestKit<Integer> {
    private final ConnectionFactory factory;
    private final JdbcOperations jdbc;

    TestKitByIndexTest(TestDatabase db) {
        this.factory = R2dbc.factory(db);
        this.jdbc = R2dbc.jdbc(db);
    }

    @Override
    public ConnectionFactory getConnectionFactory() {
        return factory;
    }

    @Override
    public String getPlaceholder(int index) {
        return "$" + (index + 1);
    }

    @Override
    public Integer getIdentifier(int index) {
        return index;
    }

    @Override
    public JdbcOperations getJdbcOperations() {
        return jdbc;
    }

    @Override
    public String doGetSql(TestStatement statement) {
        return TestKitByNameTest.tuskSql(statement);
    }

    @Override
    public String blobType() {
        return "bytea";
    }

    @Override
    public String clobType() {
        return "text";
    }
}
