package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.OperationalException;

/**
 * The statement the async model's COPY and stream steps run after their body: {@code INSERT ... RETURNING v} of a
 * random value, which must read its own value back (never a row or an end left over by the COPY or stream) and
 * whose row the model counts (so a late cleanup of the stream that rolls it back shows in the table's rows).
 */
final class FollowUp {
    private FollowUp() {
    }

    /** A step made of a body and the follow-up statement. */
    interface Step extends Op {
        /** The body's outcome in state {@code m} (before the follow-up). */
        Outcome body(ConnectionModel m);

        void body(AsyncConnection<Row> c, Env env) throws Exception;

        /** False for a body that ends the connection: nothing follows it. */
        default boolean followUp() {
            return true;
        }

        @Override
        default Outcome expect(ConnectionModel m) {
            Outcome o = body(m);
            ConnectionModel next = o.next();
            if (followUp() && next.usable() && !next.inError()) {
                next.inserted(1);
            }
            return o;
        }

        @Override
        default void apply(Env env) throws Exception {
            run(this, env);
        }
    }

    static void run(Step step, Env env) throws Exception {
        AsyncConnection<Row> c = env.async;
        Exception body = null;
        try {
            step.body(c, env);
        } catch (Exception e) {
            body = e;
        }
        if (!step.followUp() || c.isClosed()) {
            if (body != null) {
                throw body;
            }
            return;
        }
        int v = 1_000_000 + env.random.nextInt(1_000_000);
        try {
            int got = AsyncOps.join(c.execute("INSERT INTO " + env.table + " (v) VALUES (%s) RETURNING v", v))
                    .fetchone().getInt(0);
            if (got != v) {
                throw new AssertionError("the statement after " + step.name() + " read " + got + ", not its own " + v);
            }
        } catch (InFailedSqlTransaction inError) {
            // the transaction is in error: the runner checks the status against the model's
        } catch (Exception e) {
            if (body == null || e instanceof OperationalException && c.isBroken()) {
                throw e;
            }
        }
        if (body != null) {
            throw body;
        }
    }

    /** Fails when a subscriber received signals after its end (Reactive Streams rules 1.8, 2.13). */
    static void noLateSignals(ModelSubscriber<?> s) {
        String late = s.lateSignals();
        if (late != null) {
            throw new AssertionError("signals after the subscriber's end: " + late);
        }
    }
}
