package dev.tusk;

import java.util.List;

/**
 * Decides what a fetched row becomes: psycopg's row factories. Called once per result set with its
 * columns; the returned maker is called for every row.
 *
 * <pre>{@code
 * record User(long id, String name) {}
 * Cursor<User> cur = conn.cursor(Rows.classRow(User.class));
 * List<User> users = cur.execute("SELECT id, name FROM users").fetchall();
 * }</pre>
 *
 * @param <R> the row type
 */
@FunctionalInterface
public interface RowFactory<R> {
    RowMaker<R> maker(List<Column> columns);

    /** Makes one row object out of the default {@link Row} view (valid only during the call). */
    @FunctionalInterface
    interface RowMaker<R> {
        R make(Row row);
    }
}
