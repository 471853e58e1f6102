package dev.tusk.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.tusk.Conninfo;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Spring Boot's own auto-configuration on {@code spring.datasource.url=jdbc:tusk:postgresql://...}: the DataSource
 * (HikariCP in front of tusk-jdbc), JdbcTemplate, NamedParameterJdbcTemplate and the transaction manager come from
 * Boot, and a {@code @Transactional} service method, called through its AOP proxy, commits or rolls back.
 */
@TuskTest
@Timeout(120)
class SpringBootTest {
    /** The application: Boot's auto-configuration (JPA, jOOQ and Flyway left out: this is a JDBC application). */
    @SpringBootConfiguration
    @EnableAutoConfiguration(exclude = {HibernateJpaAutoConfiguration.class, JooqAutoConfiguration.class,
            FlywayAutoConfiguration.class})
    static class App {
        @Bean
        AccountRepository accountRepository(JdbcTemplate jdbc, NamedParameterJdbcTemplate named) {
            return new AccountRepository(jdbc, named);
        }

        @Bean
        TransferService transferService(AccountRepository accounts) {
            return new TransferService(accounts);
        }
    }

    /** Repository-style data access with the auto-configured templates. */
    static class AccountRepository {
        private final JdbcTemplate jdbc;
        private final NamedParameterJdbcTemplate named;

        AccountRepository(JdbcTemplate jdbc, NamedParameterJdbcTemplate named) {
            this.jdbc = jdbc;
            this.named = named;
        }

        void createTable() {
            jdbc.execute("CREATE TABLE account (name text PRIMARY KEY, balance numeric(12, 2) NOT NULL CHECK (balance >= 0))");
        }

        void open(String name, long balance) {
            named.update("INSERT INTO account (name, balance) VALUES (:name, :balance)", Map.of("name", name, "balance", balance));
        }

        long balance(String name) {
            return jdbc.queryForObject("SELECT balance FROM account WHERE name = ?", Long.class, name);
        }

        void add(String name, long amount) {
            jdbc.update("UPDATE account SET balance = balance + ? WHERE name = ?", amount, name);
        }

        List<String> names() {
            return jdbc.queryForList("SELECT name FROM account ORDER BY name", String.class);
        }

        /** The backend of the connection the current transaction holds (the same for every statement of one). */
        int backendPid() {
            return jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
        }
    }

    /** A service whose methods are transactions (through the proxy Boot's auto-configuration puts around it). */
    static class TransferService {
        private final AccountRepository accounts;

        TransferService(AccountRepository accounts) {
            this.accounts = accounts;
        }

        /** Moves money; {@code failAfterDebit} throws after the first update: nothing of it may stay. */
        @Transactional
        public int[] transfer(String from, String to, long amount, boolean failAfterDebit) {
            int pid = accounts.backendPid();
            accounts.add(from, -amount);
            if (failAfterDebit) {
                throw new IllegalStateException("the credit side is down");
            }
            accounts.add(to, amount);
            return new int[] {pid, accounts.backendPid()};
        }
    }

    private static ConfigurableApplicationContext start(TestDatabase db) {
        Map<String, String> p = Conninfo.parse(db.conninfo());
        String url = Jdbc.url(db);
        url = url.substring(0, url.indexOf('?')); // the user and password as Boot's properties
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(Map.of(
                        "spring.datasource.url", url,
                        "spring.datasource.username", db.superuser(),
                        "spring.datasource.password", p.getOrDefault("password", ""),
                        "spring.datasource.driver-class-name", "dev.tusk.jdbc.TuskDriver",
                        "spring.datasource.hikari.maximum-pool-size", "2",
                        "spring.main.banner-mode", "off"))
                .run();
    }

    @Test
    void bootAutoConfiguresATuskDataSourceAndTransactionalMethodsCommitOrRollBack(TestDatabase db) throws Exception {
        try (ConfigurableApplicationContext ctx = start(db)) {
            DataSource ds = ctx.getBean(DataSource.class);
            assertThat(ds).isInstanceOf(HikariDataSource.class);
            try (Connection c = ds.getConnection()) {
                assertThat(c.isWrapperFor(dev.tusk.Connection.class)).isTrue(); // Hikari's connections are tusk-jdbc's
                assertThat(c.getMetaData().getURL()).startsWith("jdbc:tusk:postgresql:");
            }
            assertThat(ctx.getBean(PlatformTransactionManager.class)).isInstanceOf(JdbcTransactionManager.class);

            AccountRepository accounts = ctx.getBean(AccountRepository.class);
            accounts.createTable();
            accounts.open("alice", 100);
            accounts.open("bob", 0);
            TransferService service = ctx.getBean(TransferService.class);
            assertThat(AopUtils.isAopProxy(service)).as("@Transactional proxy").isTrue();

            int[] pids = service.transfer("alice", "bob", 30, false);
            assertThat(pids[0]).as("one connection for the whole transaction").isEqualTo(pids[1]);
            assertThat(accounts.balance("alice")).isEqualTo(70);
            assertThat(accounts.balance("bob")).isEqualTo(30);
            assertThat(db.adminQuery("SELECT balance FROM account WHERE name = 'bob'")).isEqualTo("30.00"); // committed

            assertThatThrownBy(() -> service.transfer("alice", "bob", 50, true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("credit side");
            assertThat(accounts.balance("alice")).as("the debit was rolled back").isEqualTo(70);
            assertThat(accounts.balance("bob")).isEqualTo(30);

            // a server error inside the transaction: Spring's translation, and a rollback
            assertThatThrownBy(() -> service.transfer("alice", "bob", 1000, false))
                    .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
            assertThat(accounts.balance("alice")).isEqualTo(70);
            assertThat(accounts.names()).containsExactly("alice", "bob");
            // the pool's connections went back clean (autocommit again, no transaction left open)
            try (Connection c = ds.getConnection()) {
                assertThat(c.getAutoCommit()).isTrue();
                assertThat(c.unwrap(dev.tusk.Connection.class).info().transactionStatus())
                        .isEqualTo(dev.tusk.TransactionStatus.IDLE);
            }
        }
    }
}
