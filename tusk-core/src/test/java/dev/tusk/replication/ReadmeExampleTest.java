package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The CDC example of the README, as written there. */
@Timeout(60)
class ReadmeExampleTest {
    interface Search {
        void index(String table, Map<String, Object> row);
    }

    @Test
    void theReadmeCdcExampleIndexesInsertedRows() throws Exception {
        try (TestDatabase db = ReplicationServer.database("repl_readme")) {
            try (Connection<Row> c = Repl.sql(db)) {
                c.execute("CREATE TABLE products (id int PRIMARY KEY, name text, price numeric(10,2))");
                c.execute("CREATE PUBLICATION shop FOR TABLE products");
            }
            String conninfo = db.conninfo();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Map<String, Object>> indexed = new CopyOnWriteArrayList<>();
            Search search = (table, row) -> indexed.add(Map.of("table", table, "row", row));
            Thread writer = new Thread(() -> {
                try (Connection<Row> c = Repl.sql(db)) {
                    while (!"shop_cdc".equals(Repl.slotField(db, "shop_cdc", "slot_name"))) {
                        Thread.sleep(20);
                    }
                    c.execute("INSERT INTO products VALUES (1, 'widget', 12.50)");
                    while (indexed.isEmpty()) {
                        Thread.sleep(20);
                    }
                    running.set(false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            writer.start();

            // --- README
            try (ReplicationConnection rc = ReplicationConnection.connect(conninfo)) {        // replication=database
                rc.createSlot(SlotSpec.logical("shop_cdc", "pgoutput"));                      // once: the slot keeps the position
                try (PgOutputStream changes = rc.startPgOutput("shop_cdc", Lsn.INVALID, PgOutputOptions.publications("shop"))) {
                    while (running.get()) {
                        PgOutputMessage m = changes.read(Duration.ofSeconds(1));              // null: nothing new
                        if (m instanceof PgOutputMessage.Insert i) {
                            search.index(i.relation().name(), i.newTuple().asMap());          // {id=1, name=widget, price=12.50}
                        } else if (m instanceof PgOutputMessage.Commit c) {
                            changes.acknowledge(c.endLsn());                                  // done: not sent again after a restart
                        }
                    }
                }
                rc.dropSlot("shop_cdc");
            }
            // --- end of README

            writer.join(10_000);
            assertThat(indexed).hasSize(1);
            assertThat(indexed.get(0).get("table")).isEqualTo("products");
            assertThat(indexed.get(0).get("row")).hasToString("{id=1, name=widget, price=12.50}");
            assertThat(((Map<?, ?>) indexed.get(0).get("row")).get("price")).isEqualTo(new BigDecimal("12.50"));
            Repl.drop(db);
        }
    }
}
