package dev.tusk.r2dbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.annotation.Id;
import org.springframework.data.r2dbc.core.R2dbcEntityTemplate;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.r2dbc.BadSqlGrammarException;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.data.relational.core.query.Criteria.where;
import static org.springframework.data.relational.core.query.Query.query;
import static org.springframework.data.relational.core.query.Update.update;

/**
 * Spring Data R2DBC (DatabaseClient, R2dbcEntityTemplate, @Transactional through R2dbcTransactionManager) on
 * r2dbc-pool in front of tusk-r2dbc ({@code r2dbc:pool:tusk://...}), and 10,000 statements with 256 in flight
 * over 4 connections.
 */
@TuskTest
@Timeout(180)
class SpringDataR2dbcTest {
    private static final Duration T = Duration.ofSeconds(120);

    @Table("person")
    public static class Person {
        @Id
        private Long id;
        private String name;
        private Integer age;

        public Person() {
        }

        Person(String name, Integer age) {
            this.name = name;
            this.age = age;
        }

        public Long getId() {
            return id;
        }

        public void setId(Long id) {
            this.id = id;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public Integer getAge() {
            return age;
        }

        public void setAge(Integer age) {
            this.age = age;
        }
    }

    private static ConnectionPool pool(TestDatabase db) {
        db.admin("CREATE TABLE IF NOT EXISTS person (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, age int)");
        ConnectionFactory cf = ConnectionFactories.get(R2dbc.url(db).replace("r2dbc:tusk:", "r2dbc:pool:tusk:")
                + "?initialSize=4&maxSize=4");
        assertThat(cf).isInstanceOf(ConnectionPool.class);
        return (ConnectionPool) cf;
    }

    @Test
    void databaseClientQueriesWithNamedParametersAndTranslatesErrors(TestDatabase db) {
        ConnectionPool pool = pool(db);
        try {
            DatabaseClient client = DatabaseClient.create(pool);
            Long inserted = client.sql("INSERT INTO person (name, age) VALUES (:name, :age)")
                    .bind("name", "ada").bind("age", 36).fetch().rowsUpdated().block(T);
            assertThat(inserted).isEqualTo(1L);
            client.sql("INSERT INTO person (name, age) VALUES (:name, :age)").bind("name", "bob").bindNull("age", Integer.class)
                    .fetch().rowsUpdated().block(T);
            List<String> names = client.sql("SELECT name FROM person WHERE age IS NULL OR age > :min ORDER BY name")
                    .bind("min", 30).map(row -> row.get("name", String.class)).all().collectList().block(T);
            assertThat(names).containsExactly("ada", "bob");
            assertThat(client.sql("SELECT age FROM person WHERE name = :n").bind("n", "ada")
                    .map((row, md) -> row.get(0, Integer.class)).one().block(T)).isEqualTo(36);
            assertThatThrownBy(() -> client.sql("INSERT INTO person (name) VALUES ('ada')").fetch().rowsUpdated().block(T))
                    .isInstanceOf(DuplicateKeyException.class);
            assertThatThrownBy(() -> client.sql("SELEC 1").fetch().rowsUpdated().block(T))
                    .isInstanceOf(BadSqlGrammarException.class);
        } finally {
            pool.dispose();
        }
    }

    @Test
    void entityTemplateCrud(TestDatabase db) {
        ConnectionPool pool = pool(db);
        try {
            R2dbcEntityTemplate template = new R2dbcEntityTemplate(pool);
            Person saved = template.insert(new Person("cy", 20)).block(T);
            assertThat(saved.getId()).isNotNull();
            template.insert(new Person("di", 40)).block(T);
            Person found = template.selectOne(query(where("name").is("cy")), Person.class).block(T);
            assertThat(found.getAge()).isEqualTo(20);
            assertThat(found.getId()).isEqualTo(saved.getId());
            Long changed = template.update(Person.class).matching(query(where("age").greaterThan(10)))
                    .apply(update("age", 99)).block(T);
            assertThat(changed).isEqualTo(2L);
            found.setName("cy2");
            template.update(found).block(T);
            assertThat(template.select(Person.class).all().map(Person::getName).collectList().block(T))
                    .containsExactlyInAnyOrder("cy2", "di");
            assertThat(template.delete(query(where("name").is("di")), Person.class).block(T)).isEqualTo(1L);
            assertThat(template.count(query(where("name").is("cy2").and("age").is(20)), Person.class).block(T)).isEqualTo(1L);
            assertThatThrownBy(() -> template.insert(new Person(null, 1)).block(T))
                    .isInstanceOf(DataIntegrityViolationException.class);
        } finally {
            pool.dispose();
        }
    }

    /** A service whose transactional method fails after its insert. */
    public static class PersonService {
        private final R2dbcEntityTemplate template;

        public PersonService(R2dbcEntityTemplate template) {
            this.template = template;
        }

        @Transactional
        public Mono<Person> insertThenFail(String name) {
            return template.insert(new Person(name, 1))
                    .then(Mono.error(new IllegalStateException("failing after the insert")));
        }

        @Transactional
        public Mono<Person> insertTwo(String a, String b) {
            return template.insert(new Person(a, 1)).then(template.insert(new Person(b, 2)));
        }
    }

    @Configuration
    @EnableTransactionManagement
    static class Config {
        @Bean
        ReactiveTransactionManager transactionManager(ConnectionFactory cf) {
            return new R2dbcTransactionManager(cf);
        }

        @Bean
        R2dbcEntityTemplate template(ConnectionFactory cf) {
            return new R2dbcEntityTemplate(cf);
        }

        @Bean
        PersonService personService(R2dbcEntityTemplate template) {
            return new PersonService(template);
        }
    }

    @Test
    void transactionalRollsBackOnErrorThroughR2dbcTransactionManager(TestDatabase db) {
        ConnectionPool pool = pool(db);
        try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext()) {
            ctx.registerBean(ConnectionFactory.class, () -> pool);
            ctx.register(Config.class);
            ctx.refresh();
            PersonService service = ctx.getBean(PersonService.class);
            assertThatThrownBy(() -> service.insertThenFail("ghost").block(T)).hasMessageContaining("failing after the insert");
            assertThat(db.adminQuery("SELECT count(*) FROM person WHERE name = 'ghost'")).isEqualTo("0");
            assertThatThrownBy(() -> service.insertTwo("eve", "eve").block(T)).isInstanceOf(DuplicateKeyException.class);
            assertThat(db.adminQuery("SELECT count(*) FROM person WHERE name = 'eve'")).isEqualTo("0");
            service.insertTwo("fay", "gus").block(T);
            assertThat(db.adminQuery("SELECT string_agg(name, ',' ORDER BY name) FROM person")).isEqualTo("fay,gus");
        } finally {
            pool.dispose();
        }
    }

    @Test
    void tenThousandStatementsWith256InFlightOverFourPooledConnections(TestDatabase db) {
        ConnectionPool pool = pool(db);
        List<Connection> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                conns.add(Mono.from(pool.create()).block(T));
            }
            AtomicInteger inFlight = new AtomicInteger();
            long start = System.nanoTime();
            AtomicInteger maxInFlight = new AtomicInteger();
            List<Long> wrong = Flux.range(0, 10_000)
                    .flatMap(i -> Flux.from(conns.get(i % 4).createStatement("SELECT $1::int8 * 3, $2::text")
                                    .bind(0, (long) i).bind(1, "n" + i).execute())
                            .concatMap(r -> r.map((row, md) -> row.get(0, Long.class) == 3L * i
                                    && row.get(1, String.class).equals("n" + i) ? -1L : (long) i))
                            .doOnSubscribe(s -> maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max))
                            .doOnTerminate(inFlight::decrementAndGet).doOnCancel(inFlight::decrementAndGet), 256)
                    .filter(x -> x >= 0)
                    .collectList().block(T);
            System.out.printf("10,000 statements, 256 in flight over 4 connections: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertThat(wrong).isEmpty();
            assertThat(maxInFlight.get()).isEqualTo(256);
            Long total = Flux.range(0, 10_000).flatMap(i -> Flux.from(conns.get(i % 4).createStatement("SELECT 1").execute())
                    .concatMap(r -> r.map((row, md) -> 1L)), 256).count().block(T);
            assertThat(total).isEqualTo(10_000L);
        } finally {
            for (Connection c : conns) {
                Mono.from(c.close()).block(T);
            }
            pool.dispose();
        }
    }
}
