package dev.tusk.model;

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
    final Connection<Row> conn;
    final String table;
    final String gidPrefix;
    final Random random;
    final ExecutorService helpers;
    int step;

    Env(TestDatabase db, FaultProxy proxy, Connection<Row> conn, String table, String gidPrefix, Random random,
            ExecutorService helpers) {
        this.db = db;
        this.proxy = proxy;
        this.conn = conn;
        this.table = table;
        this.gidPrefix = gidPrefix;
        this.random = random;
        this.helpers = helpers;
    }
}
