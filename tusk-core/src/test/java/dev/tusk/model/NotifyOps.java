package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Notify;
import dev.tusk.Row;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import static dev.tusk.model.Op.Outcome.ok;

/**
 * Notify and notice handlers that misbehave, in the middle of a statement's reply (the session's own notification comes
 * before its ReadyForQuery): one that throws (logged, the others and the statement go on), one that runs a statement
 * on the same connection (the blocking connection refuses it; the async one runs it after, with its own reply), one
 * that closes the connection (the statement succeeds or fails with an OperationalException; the connection is
 * then closed, not broken). Each step listens, adds its handler, runs {@code SELECT 42 FROM pg_notify(...)} (checking
 * it reads 42), then removes the handler and unlistens. Picked in autocommit outside a transaction only: a
 * notification is delivered when its transaction commits. A notice handler's step (the same rules, one
 * {@code HandlerScope} for both kinds) runs {@code SELECT 42; DO ... RAISE NOTICE}: the notice comes after the row,
 * before the reply's end.
 */
final class NotifyOps {
    private NotifyOps() {
    }

    /** What the handler does. */
    enum Misuse {
        THROWS, STATEMENT, CLOSES
    }

    static final List<Ops.Weighted> ALL = List.of(
            new Ops.Weighted(1, r -> new HandlerMisuse(Misuse.values()[r.nextInt(Misuse.values().length)], r.nextBoolean())));

    static final String CHANNEL = "model_notify";
    private static final String NOTIFY_AND_42 = "SELECT 42 FROM pg_notify('" + CHANNEL + "', 'x')";
    /** On the simple protocol (no parameters): the cursor reads the first result, 42; the notice follows it. */
    private static final String NOTICE_AFTER_42 = "SELECT 42; DO $$ BEGIN RAISE NOTICE 'model'; END $$";

    /** {@code notice}: a notice handler's misuse, else a notify handler's. */
    record HandlerMisuse(Misuse misuse, boolean notice) implements Op {
        public String name() {
            return (notice ? "noticeHandler" : "notifyHandler") + switch (misuse) {
                case THROWS -> "Throws";
                case STATEMENT -> "RunsAStatement";
                case CLOSES -> "Closes";
            };
        }

        public boolean applicable(ConnectionModel m) {
            return m.autocommit && m.idle();
        }

        public Outcome expect(ConnectionModel m) {
            if (misuse == Misuse.CLOSES) {
                m.closedByUser();
                return new Outcome(true, List.of(OperationalException.class), m);
            }
            return ok(m);
        }

        public void apply(Env env) throws Exception {
            CompletableFuture<Object> inside = new CompletableFuture<>();
            if (env.conn != null) {
                blocking(env.conn, inside);
            } else {
                async(env.async, inside);
            }
        }

        private void blocking(Connection<Row> c, CompletableFuture<Object> inside) {
            Runnable handler = () -> {
                switch (misuse) {
                    case THROWS -> throw new IllegalStateException("the handler's own bug");
                    case STATEMENT -> inside.complete(catchAll(() -> c.execute("SELECT 1")));
                    case CLOSES -> c.close();
                }
            };
            Consumer<Notify> onNotify = n -> handler.run();
            Consumer<Diagnostic> onNotice = d -> handler.run();
            if (notice) {
                c.addNoticeHandler(onNotice);
            } else {
                c.execute("LISTEN " + CHANNEL);
                c.addNotifyHandler(onNotify);
            }
            int v = c.execute(notice ? NOTICE_AFTER_42 : NOTIFY_AND_42).fetchone().getInt(0);
            check(v);
            if (misuse == Misuse.CLOSES) {
                return; // closed: nothing to undo
            }
            if (misuse == Misuse.STATEMENT && !(inside.getNow(null) instanceof ProgrammingException)) {
                throw new AssertionError("a statement run from inside a " + (notice ? "notice" : "notify")
                        + " handler ended with " + inside.getNow(null) + ": expected a ProgrammingException");
            }
            if (notice) {
                c.removeNoticeHandler(onNotice);
            } else {
                c.removeNotifyHandler(onNotify);
                c.execute("UNLISTEN " + CHANNEL);
            }
        }

        /** The async handlers run on the loop once the statement's future completed: the step waits for them. */
        private void async(AsyncConnection<Row> c, CompletableFuture<Object> inside) throws Exception {
            Runnable handler = () -> {
                switch (misuse) {
                    case THROWS -> {
                        inside.complete(null);
                        throw new IllegalStateException("the handler's own bug");
                    }
                    case STATEMENT -> inside.complete(c.execute("SELECT 5"));
                    case CLOSES -> inside.complete(c.closeAsync());
                }
            };
            Consumer<Notify> onNotify = n -> handler.run();
            Consumer<Diagnostic> onNotice = d -> handler.run();
            if (notice) {
                c.addNoticeHandler(onNotice);
            } else {
                AsyncOps.join(c.execute("LISTEN " + CHANNEL));
                c.addNotifyHandler(onNotify);
            }
            Exception failed = null;
            try {
                check(AsyncOps.join(c.execute(notice ? NOTICE_AFTER_42 : NOTIFY_AND_42)).fetchone().getInt(0));
            } catch (OperationalException e) {
                failed = e; // closed by the handler before the reply was complete
            }
            if (failed != null) {
                try { // the handler that closed it may still be finishing; after a cut it never runs
                    Object closing = inside.get(2, TimeUnit.SECONDS);
                    if (closing instanceof CompletableFuture<?> f) {
                        AsyncOps.join(f);
                    }
                } catch (TimeoutException notRun) {
                    // the connection was lost before the notification came
                }
                throw failed;
            }
            Object done = AsyncOps.join(inside);
            if (misuse == Misuse.CLOSES) {
                AsyncOps.join((CompletableFuture<?>) done);
                return;
            }
            if (misuse == Misuse.STATEMENT) {
                @SuppressWarnings("unchecked")
                CompletableFuture<dev.tusk.AsyncCursor<Row>> nested = (CompletableFuture<dev.tusk.AsyncCursor<Row>>) done;
                if (AsyncOps.join(nested).fetchone().getInt(0) != 5) {
                    throw new AssertionError("the statement a handler submitted did not read its own reply 5");
                }
            }
            if (notice) {
                c.removeNoticeHandler(onNotice);
            } else {
                c.removeNotifyHandler(onNotify);
                AsyncOps.join(c.execute("UNLISTEN " + CHANNEL));
            }
        }

        private static void check(int v) {
            if (v != 42) {
                throw new AssertionError("the statement whose reply carried a notification read " + v + ", not 42");
            }
        }

        private static Object catchAll(Runnable r) {
            try {
                r.run();
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        }
    }
}
