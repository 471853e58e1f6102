package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.SessionFactory;
import org.hibernate.StaleObjectStateException;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.hibernate.tool.schema.spi.SchemaManagementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hibernate ORM 7 over TuskDataSource: an entity model with sequence and identity ids, a relation both ways, a
 * {@code @Version} column, batched inserts, and schema validation against the tables Hibernate created.
 */
@TuskTest
@Timeout(180)
class HibernateTest {
    @Entity(name = "Author")
    @Table(name = "author")
    public static class Author {
        @Id
        @GeneratedValue(strategy = GenerationType.SEQUENCE)
        Long id;
        @Column(nullable = false, length = 100)
        String name;
        LocalDate born;
        @OneToMany(mappedBy = "author")
        List<Book> books = new ArrayList<>();

        public Author() {
        }

        Author(String name, LocalDate born) {
            this.name = name;
            this.born = born;
        }
    }

    @Entity(name = "Book")
    @Table(name = "book")
    public static class Book {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;
        @Column(nullable = false)
        String title;
        @Column(precision = 10, scale = 2)
        BigDecimal price;
        OffsetDateTime published;
        boolean available;
        @ManyToOne(fetch = FetchType.LAZY, optional = false)
        Author author;
        @Version
        int version;

        public Book() {
        }

        Book(String title, BigDecimal price, Author author) {
            this.title = title;
            this.price = price;
            this.author = author;
            this.available = true;
            this.published = OffsetDateTime.parse("2020-01-02T03:04:05Z");
        }
    }

    /** An entity whose table has a column the database lacks: validation must say so. */
    @Entity(name = "AuthorWithExtra")
    @Table(name = "author")
    public static class AuthorWithExtra {
        @Id
        Long id;
        String name;
        String nickname;

        public AuthorWithExtra() {
        }
    }

    private static SessionFactory sessionFactory(DataSource ds, String ddl, Class<?>... entities) {
        Configuration cfg = new Configuration();
        for (Class<?> e : entities) {
            cfg.addAnnotatedClass(e);
        }
        cfg.getProperties().put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, ds);
        cfg.setProperty(AvailableSettings.HBM2DDL_AUTO, ddl);
        cfg.setProperty(AvailableSettings.STATEMENT_BATCH_SIZE, "25");
        cfg.setProperty(AvailableSettings.ORDER_INSERTS, "true");
        cfg.setProperty(AvailableSettings.ORDER_UPDATES, "true");
        cfg.setProperty(AvailableSettings.GENERATE_STATISTICS, "true");
        return cfg.buildSessionFactory();
    }

    @Test
    void entitiesRelationsVersionsBatchesAndSchemaValidation(TestDatabase db) {
        DataSource ds = Jdbc.dataSource(db);
        try (SessionFactory sf = sessionFactory(ds, "create", Author.class, Book.class)) {
            // batched inserts: 60 authors with sequence ids, then books with identity ids (RETURNING)
            long[] firstBook = new long[1];
            sf.inTransaction(s -> {
                for (int i = 0; i < 60; i++) {
                    Author a = new Author("author " + i, LocalDate.of(1900 + i, 1, 1));
                    s.persist(a);
                    if (i < 3) {
                        for (int b = 0; b < 2; b++) {
                            Book book = new Book("book " + i + "." + b, new BigDecimal("9.99"), a);
                            s.persist(book);
                            if (firstBook[0] == 0) {
                                firstBook[0] = book.id;
                            }
                        }
                    }
                }
            });
            assertThat(firstBook[0]).isPositive();
            assertThat(sf.getStatistics().getEntityInsertCount()).isEqualTo(66);
            assertThat(db.adminQuery("SELECT count(*) FROM author")).isEqualTo("60");
            assertThat(db.adminQuery("SELECT count(*) FROM book")).isEqualTo("6");

            // relations both ways, with a query
            sf.inSession(s -> {
                List<Author> withBooks = s.createSelectionQuery(
                        "select distinct a from Author a join fetch a.books where a.name like :p order by a.name", Author.class)
                        .setParameter("p", "author %").getResultList();
                assertThat(withBooks).hasSize(3);
                assertThat(withBooks.get(0).books).hasSize(2);
                Book b = s.find(Book.class, firstBook[0]);
                assertThat(b.author.name).isEqualTo("author 0");
                assertThat(b.price).isEqualByComparingTo("9.99");
                assertThat(b.published.toInstant()).isEqualTo(OffsetDateTime.parse("2020-01-02T03:04:05Z").toInstant());
                assertThat(b.version).isZero();
            });

            // @Version: an update through a stale copy fails
            Book stale = sf.fromSession(s -> s.find(Book.class, firstBook[0]));
            sf.inTransaction(s -> s.find(Book.class, firstBook[0]).price = new BigDecimal("12.50"));
            int version = sf.fromSession(s -> s.find(Book.class, firstBook[0]).version);
            assertThat(version).isEqualTo(1);
            stale.title = "stale edit";
            assertThatThrownBy(() -> sf.inTransaction(s -> s.merge(stale)))
                    .isInstanceOfAny(OptimisticLockException.class, StaleObjectStateException.class);

            // batched updates keep exact counts: every versioned update is checked
            sf.inTransaction(s -> s.createSelectionQuery("from Book", Book.class).getResultList().forEach(b -> b.available = false));
            assertThat(db.adminQuery("SELECT count(*) FROM book WHERE NOT available")).isEqualTo("6");

            // deletes and a bulk HQL update
            sf.inTransaction(s -> assertThat(s.createMutationQuery("update Author set born = null where name like 'author 5%'")
                    .executeUpdate()).isEqualTo(11));
        }
        // schema validation against the database Hibernate created
        try (SessionFactory sf = sessionFactory(ds, "validate", Author.class, Book.class)) {
            assertThat(sf.isOpen()).isTrue();
        }
        assertThatThrownBy(() -> sessionFactory(ds, "validate", AuthorWithExtra.class).close())
                .isInstanceOf(SchemaManagementException.class)
                .hasMessageContaining("missing column [nickname]");
    }
}
