package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.Result;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.name;

/** jOOQ 3.19 (POSTGRES dialect) over TuskDataSource: selects, INSERT ... RETURNING, batches, transactions, arrays. */
@TuskTest
@Timeout(120)
class JooqTest {
    private static final Table<Record> BOOK = DSL.table(name("book"));
    private static final Field<Long> ID = DSL.field(name("id"), SQLDataType.BIGINT.identity(true));
    private static final Field<String> TITLE = DSL.field(name("title"), SQLDataType.VARCHAR(200).nullable(false));
    private static final Field<Integer> YEAR = DSL.field(name("year"), SQLDataType.INTEGER);
    private static final Field<String[]> TAGS = DSL.field(name("tags"), SQLDataType.VARCHAR.array());
    private static final Field<OffsetDateTime> ADDED = DSL.field(name("added"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    private static DSLContext dsl(TestDatabase db) {
        DSLContext dsl = DSL.using(Jdbc.dataSource(db), SQLDialect.POSTGRES);
        dsl.createTableIfNotExists(BOOK).columns(ID, TITLE, YEAR, TAGS, ADDED).primaryKey(ID).unique(TITLE).execute();
        return dsl;
    }

    @Test
    void insertReturningAndSelects(TestDatabase db) {
        DSLContext dsl = dsl(db);
        OffsetDateTime added = OffsetDateTime.of(2024, 5, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2));
        Record r = dsl.insertInto(BOOK, TITLE, YEAR, TAGS, ADDED).values("Dune", 1965, new String[] {"sf", "desert"}, added)
                .returning(ID, TITLE).fetchOne();
        assertThat(r).isNotNull();
        long id = r.get(ID);
        assertThat(id).isPositive();
        dsl.insertInto(BOOK, TITLE, YEAR).values("Emma", 1815).values("Ulysses", 1922).execute();

        Result<Record2<String, Integer>> old = dsl.select(TITLE, YEAR).from(BOOK).where(YEAR.lt(1950)).orderBy(YEAR).fetch();
        assertThat(old.getValues(TITLE)).containsExactly("Emma", "Ulysses");
        Record dune = dsl.select(TITLE, TAGS, ADDED).from(BOOK).where(ID.eq(id)).fetchOne();
        assertThat(dune.get(TAGS)).containsExactly("sf", "desert");
        assertThat(dune.get(ADDED).toInstant()).isEqualTo(added.toInstant());
        assertThat(dsl.fetchCount(BOOK)).isEqualTo(3);
        assertThat(dsl.fetchValue("SELECT count(*) FROM book WHERE title LIKE ?", "%e%")).isEqualTo(2L);
        assertThat(dsl.update(BOOK).set(YEAR, YEAR.plus(1)).where(TITLE.in("Emma", "Dune")).execute()).isEqualTo(2);
    }

    @Test
    void batches(TestDatabase db) {
        DSLContext dsl = dsl(db);
        int[] counts = dsl.batch(dsl.insertInto(BOOK, TITLE, YEAR).values((String) null, (Integer) null))
                .bind("A", 1).bind("B", 2).bind("C", 3).execute();
        assertThat(counts).containsExactly(1, 1, 1);
        int[] mixed = dsl.batch(
                dsl.insertInto(BOOK, TITLE).values("D"),
                dsl.update(BOOK).set(YEAR, 10).where(YEAR.le(2)),
                dsl.deleteFrom(BOOK).where(TITLE.eq("C"))).execute();
        assertThat(mixed).containsExactly(1, 2, 1);
        assertThat(dsl.selectFrom(BOOK).orderBy(TITLE).fetch(TITLE)).containsExactly("A", "B", "D");
    }

    @Test
    void transactionsCommitAndRollBack(TestDatabase db) {
        DSLContext dsl = dsl(db);
        dsl.transaction(cfg -> DSL.using(cfg).insertInto(BOOK, TITLE).values("kept").execute());
        assertThatThrownBy(() -> dsl.transaction(cfg -> {
            DSL.using(cfg).insertInto(BOOK, TITLE).values("lost").execute();
            DSL.using(cfg).insertInto(BOOK, TITLE).values("kept").execute(); // unique violation
        })).isInstanceOf(DataAccessException.class)
                .satisfies(e -> assertThat(((DataAccessException) e).sqlState()).isEqualTo("23505"));
        // nested transactions are savepoints
        dsl.transaction(outer -> {
            DSL.using(outer).insertInto(BOOK, TITLE).values("outer").execute();
            try {
                DSL.using(outer).transaction(inner -> {
                    DSL.using(inner).insertInto(BOOK, TITLE).values("inner").execute();
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                // the outer goes on
            }
        });
        List<String> titles = dsl.select(TITLE).from(BOOK).orderBy(TITLE).fetch(TITLE);
        assertThat(titles).containsExactly("kept", "outer");
    }
}
