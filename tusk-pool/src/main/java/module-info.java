/** Connection pools for Tusk, with psycopg_pool's API: {@link dev.tusk.pool.ConnectionPool}. */
module dev.tusk.pool {
    requires transitive dev.tusk;
    requires java.management;

    exports dev.tusk.pool;
}
