/** A JDBC 4.3 face on Tusk: {@link dev.tusk.jdbc.TuskDriver} ({@code jdbc:tusk:postgresql://...}) and DataSources. */
module dev.tusk.jdbc {
    requires transitive java.sql;
    requires transitive dev.tusk;
    requires transitive dev.tusk.pool;
    requires java.transaction.xa;

    exports dev.tusk.jdbc;

    provides java.sql.Driver with dev.tusk.jdbc.TuskDriver;
}
