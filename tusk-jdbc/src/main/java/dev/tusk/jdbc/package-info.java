/**
 * A JDBC 4.3 face on Tusk's blocking {@link dev.tusk.Connection}: {@link dev.tusk.jdbc.TuskDriver} for URLs
 * {@code jdbc:tusk:postgresql://host:port/db?...}, {@link dev.tusk.jdbc.TuskDataSource} (a new connection each
 * time, for HikariCP or any pool), {@link dev.tusk.jdbc.TuskPooledDataSource} (Tusk's own pool, shared with Tusk
 * code) and {@link dev.tusk.jdbc.TuskXADataSource} (two-phase commit for transaction managers).
 *
 * <p>What JDBC code gets: autocommit on by default; {@code ?} placeholders (rewritten to {@code $n} outside
 * quotes, comments and dollar quotes; {@code ??} is the {@code ?} operator) and the JDBC escapes {@code {fn}},
 * {@code {d}}, {@code {t}}, {@code {ts}}, {@code {oj}}, {@code {escape}}, {@code {limit}}, {@code {call}};
 * every {@code setX}, {@code setObject} with java.time (JDBC 4.2), arrays with {@code createArrayOf},
 * {@code setNull} with the SQL type sent to the server; {@code executeBatch} in one round trip (one pipeline; a
 * batch of single-row INSERTs as multi-row INSERTs); generated keys through {@code RETURNING}; a fetch size in a
 * transaction streams through a server-side cursor; {@code setQueryTimeout}, {@code cancel()}, {@code setMaxRows};
 * scrollable read-only result sets; savepoints, isolation, read-only, holdability; {@code DatabaseMetaData} from
 * the catalogs with pgjdbc's layouts and type codes; {@code SQLException}s carrying the server's SQLSTATE and the
 * JDBC 4 subclass of its class; {@code unwrap(dev.tusk.Connection.class)} reaches Tusk's API on the same session.
 *
 * <p>Not supported, each throwing {@link java.sql.SQLFeatureNotSupportedException} with a message: updatable
 * result sets, large objects ({@code Blob}/{@code Clob} objects: use bytea and text), {@code SQLXML},
 * {@code Struct}, {@code Ref}, {@code RowId}, named parameters in {@code CallableStatement}, generated keys by
 * column index, custom type maps, {@code setCursorName}, {@code setMaxFieldSize} other than 0.
 *
 * <pre>{@code
 * TuskDataSource ds = new TuskDataSource("jdbc:tusk:postgresql://localhost:5432/app?user=app&password=secret");
 * try (Connection c = ds.getConnection();
 *      PreparedStatement ps = c.prepareStatement("INSERT INTO event (at, kind) VALUES (?, ?)", new String[] {"id"})) {
 *     ps.setObject(1, OffsetDateTime.now());
 *     ps.setString(2, "signup");
 *     ps.executeUpdate();
 *     try (ResultSet keys = ps.getGeneratedKeys()) {
 *         keys.next();
 *         long id = keys.getLong(1);
 *     }
 * }
 * }</pre>
 */
package dev.tusk.jdbc;
