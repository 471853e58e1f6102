package dev.tusk.model;

import dev.tusk.errors.OperationalException;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Thread.interrupt of the caller in the middle of an operation (README "Where Tusk follows Java"): a helper
 * interrupts the step's thread a random moment after the operation starts, over a network slowed for the step so
 * that the moment falls as often before, during as after the operation's reads and writes.
 *
 * <p>The blocking connection: an interrupt that reaches a read or a write ends the call with an
 * OperationalException saying it was interrupted, the interrupt status kept and {@code isBroken()} true (the runner
 * then expects every later call to fail); one that arrives while no I/O happens leaves the operation's usual outcome
 * and a usable connection. The async connection: the caller does no blocking I/O, so an interrupt of a thread that
 * waits for a future never breaks the connection, and the operation has its usual outcome.
 */
final class InterruptOps {
    private InterruptOps() {
    }

    /** The operations interrupted, blocking driver: statements, commit and rollback, COPY both ways, streams, pipelines. */
    static final List<Ops.Weighted> BLOCKING = List.of(
            interrupted(r -> new Ops.Echo(r.nextInt(1_000_000))),
            interrupted(r -> new Ops.Insert(1 + r.nextInt(3))),
            inTransaction(r -> new Ops.Commit()),
            inTransaction(r -> new Ops.Rollback()),
            interrupted(r -> new Ops.TransactionBlock(1 + r.nextInt(3))),
            interrupted(r -> new Ops.PipelineOp(1 + r.nextInt(4))),
            interrupted(r -> new Ops.CopyIn(1 + r.nextInt(2000))),
            interrupted(r -> new Ops.CopyOut(1 + r.nextInt(5000))),
            interrupted(r -> new Ops.StreamAll(1 + r.nextInt(5000))),
            interrupted(r -> new Ops.ServerCursorOp()));

    /** The same for the async driver: statements, commit and rollback, blocks, pipelines, COPY both ways, streams. */
    static final List<Ops.Weighted> ASYNC = List.of(
            interrupted(r -> new AsyncOps.Insert(1 + r.nextInt(3))),
            interrupted(r -> new AsyncOps.Burst(2 + r.nextInt(4))),
            inTransaction(r -> new AsyncOps.Commit()),
            inTransaction(r -> new AsyncOps.Rollback()),
            interrupted(r -> new AsyncOps.TransactionBlock(1 + r.nextInt(3))),
            interrupted(r -> new AsyncOps.PipelineOp(1 + r.nextInt(4))),
            interrupted(r -> new AsyncCopyOps.CopyIn(1 + r.nextInt(2000))),
            interrupted(r -> new AsyncCopyOps.CopyOut(1 + r.nextInt(5000), r.nextBoolean(), r.nextLong(), 1 + r.nextInt(500))),
            interrupted(r -> new AsyncStreamOps.StreamAll(1 + r.nextInt(5000), r.nextLong(), 1 + r.nextInt(800))));

    private static Ops.Weighted interrupted(Function<Random, Op> inner) {
        return interrupted(inner, false);
    }

    /** Commit and rollback only in a transaction: outside one they send nothing, so there is no I/O to interrupt. */
    private static Ops.Weighted inTransaction(Function<Random, Op> inner) {
        return interrupted(inner, true);
    }

    /** The interrupt falls within about three round trips of the operation's start: before, during or after its I/O. */
    private static Ops.Weighted interrupted(Function<Random, Op> inner, boolean inTransactionOnly) {
        return new Ops.Weighted(1, r -> {
            int netDelayMillis = new int[] {0, 2, 10}[r.nextInt(3)];
            return new Interrupted(inner.apply(r), inTransactionOnly, netDelayMillis, r.nextInt(1000 + 3000 * netDelayMillis));
        });
    }

    /**
     * {@code inner} with its thread interrupted {@code afterMicros} after it starts, the network delaying each chunk by
     * {@code netDelayMillis} meanwhile.
     */
    record Interrupted(Op inner, boolean inTransactionOnly, int netDelayMillis, int afterMicros) implements Op {
        public String name() {
            return "interrupted." + inner.name();
        }

        public boolean applicable(ConnectionModel m) {
            // the failure it may cause is the interrupt's, nothing else's
            return !m.faultPending && (!inTransactionOnly || !m.idle()) && inner.applicable(m);
        }

        public Outcome expect(ConnectionModel m) {
            return inner.expect(m);
        }

        public boolean mayBreakConnection(Env env) {
            return env.conn != null;
        }

        public void apply(Env env) throws Exception {
            Thread me = Thread.currentThread();
            boolean usable = env.conn != null ? !env.conn.isClosed() : !env.async.isClosed();
            CountDownLatch started = new CountDownLatch(1);
            env.proxy.delay(Duration.ofMillis(Math.max(netDelayMillis, env.netDelayMillis)));
            Future<?> interrupter = env.helpers.submit(() -> {
                started.await();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(afterMicros));
                me.interrupt();
                return null;
            });
            Exception failure = null;
            boolean statusAtFailure = false;
            started.countDown();
            try {
                inner.apply(env);
            } catch (Exception e) {
                failure = e;
                statusAtFailure = me.isInterrupted();
            } finally {
                awaitUninterruptibly(interrupter);
                Thread.interrupted(); // the interrupt is the step's: the next step's thread starts without it
                env.proxy.delay(Duration.ofMillis(env.netDelayMillis));
            }
            if (usable && failure instanceof OperationalException && env.conn != null && env.conn.isBroken()) {
                // a COMMIT's says the transaction may or may not have been committed, "(the operation was interrupted...)"
                String msg = String.valueOf(failure.getMessage());
                if (!msg.contains("interrupted")) {
                    throw new AssertionError("an interrupted call that broke the connection says: " + msg, failure);
                }
                if (!statusAtFailure) {
                    throw new AssertionError("the interrupt status was not kept for the caller: " + msg, failure);
                }
            }
            if (Boolean.getBoolean("tusk.model.interruptStats")) {
                System.err.println("INTERRUPT-STAT " + name() + " usable=" + usable + " -> "
                        + (failure == null ? "ok" : failure.getClass().getSimpleName()));
            }
            if (failure != null) {
                throw failure;
            }
        }

        private static void awaitUninterruptibly(Future<?> f) {
            boolean interrupted = false;
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the helper's own interrupt, arriving now: the caller clears it next
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
