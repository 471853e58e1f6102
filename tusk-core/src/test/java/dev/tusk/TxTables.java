package dev.tusk;

import java.util.concurrent.atomic.AtomicInteger;

/** Tables and counts shared by the transaction tests. */
final class TxTables {
    private static final AtomicInteger TABLES = new AtomicInteger();

    private TxTables() {
    }

    /** A fresh table {@code (id int primary key, v text)}, committed; returns its name. */
    static String freshTable(Connection<?> conn) {
        String name = "tx_t" + TABLES.incrementAndGet();
        boolean auto = conn.autocommit();
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE " + name + " (id int PRIMARY KEY, v text)");
        conn.setAutocommit(auto);
        return name;
    }

    static long count(Connection<Row> witness, String table) {
        return witness.execute("SELECT count(*) FROM " + table).fetchone().getLong(0);
    }
}
