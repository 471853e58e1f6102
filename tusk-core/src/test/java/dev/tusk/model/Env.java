package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;

import java.util.Random;
import java.util.concurrent.ExecutorService;

/** What an operation works with: the connection under test, its proxy, the sequence's table, randomness. */
final class Env {
    final TestDatabase db;
    final FaultProxy proxy;
    /** The blocking connection under test, or null when the async one is. */
    final Connection<Row> conn;
    /** The async connection under test, or null when the blocking one is. */
    final AsyncConnection<Row> async;
    final String table;
    final String gidPrefix;
    final Random random;
    final ExecutorService helpers;
    int step;
    /** The network delay the sequence's last {@link Ops.Delay} set, in ms (0: none). */
    int netDelayMillis;

    Env(TestDatabase db, FaultProxy proxy, Connection<Row> conn, AsyncConnection<Row> async, String table, String gidPrefix, Random random,
            ExecutorService helpers) {
        this.db = db;
        this.proxy = proxy;
        this.conn = conn;
        this.async = async;
        this.table = table;
        this.gidPrefix = gidPrefix;
        this.random = random;
        this.helpers = helpers;
    }
}
