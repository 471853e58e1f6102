package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.InterfaceException;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One lease of a pooled {@link AsyncConnection}, as {@link PooledLease} for {@link Connection}: every call is
 * forwarded to the pooled connection while the lease lasts; once it ended ({@code close()}) the calls
 * returning a future return one failed with an {@link InterfaceException}, the others throw it, but
 * {@code close()} and {@code closeAsync()} (no-ops), {@code isClosed()} (true) and {@code isBroken()}.
 * Cursors and streams made here belong to the lease too.
 *
 * <p>This class must override every public and package-private method of {@link AsyncConnection} (a test
 * checks it by reflection): one it inherited would run on the handle's own fields.
 */
final class AsyncPooledLease<R> extends AsyncConnection<R> {
    private final AsyncConnection<R> pooled;
    /** Handlers added through this lease, removed from the pooled connection when it ends; null: none. */
    private List<Consumer<Notify>> notifyHandlers;
    private List<Consumer<Diagnostic>> noticeHandlers;

    AsyncPooledLease(AsyncConnection<R> pooled) {
        super(pooled);
        this.pooled = pooled;
    }

    AsyncConnection<R> pooled() {
        return pooled;
    }

    /** The pooled connection, marked as used by this lease; null once the lease ended. */
    private AsyncConnection<R> useOrNull() {
        AsyncConnection<R> c = pooled;
        if (!c.isCurrentLease(this)) {
            return null;
        }
        if (!c.leaseUsed) {
            c.leaseUsed = true;
        }
        return c;
    }

    private AsyncConnection<R> use() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            throw ended();
        }
        return c;
    }

    private AsyncConnection<R> look() {
        AsyncConnection<R> c = pooled;
        if (!c.isCurrentLease(this)) {
            throw ended();
        }
        return c;
    }

    private static InterfaceException ended() {
        return new InterfaceException("this connection was given back to its pool (its close() ended the lease) and"
                + " may now be lent to someone else: lease another one with pool.connection()");
    }

    private static <T> CompletableFuture<T> failed() {
        return LoopFuture.failed(ended());
    }

    // ---------------------------------------------------------------- life cycle

    /** Ends the lease and gives the connection back to its pool; a second call does nothing. */
    @Override
    public void close() {
        closeAsync();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        AsyncConnection<R> c = pooled;
        if (c.endLease(this)) {
            if (notifyHandlers != null) {
                notifyHandlers.forEach(c::removeNotifyHandler);
            }
            if (noticeHandlers != null) {
                noticeHandlers.forEach(c::removeNoticeHandler);
            }
            c.closeAsync(); // a pooled connection's close gives it back
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Closing a lease for real is refused: {@code close()} gives it back. */
    @Override
    CompletableFuture<Void> closeNow() {
        return closeAsync();
    }

    /** True once the lease ended, or the pooled connection was closed or lost. */
    @Override
    public boolean isClosed() {
        return !pooled.isCurrentLease(this) || pooled.isClosed();
    }

    @Override
    public boolean isBroken() {
        return pooled.isCurrentLease(this) && pooled.isBroken();
    }

    @Override
    public String toString() {
        return "AsyncPooledLease[" + (pooled.isCurrentLease(this) ? "" : "ended, ") + pooled + "]";
    }

    // ---------------------------------------------------------------- public API

    @Override
    public AsyncCursor<R> cursor() {
        look();
        return super.cursor();
    }

    @Override
    void startCopyBoth(dev.tusk.internal.core.CopyBothCommand cmd, java.util.function.Consumer<dev.tusk.errors.TuskException> ended) {
        use().startCopyBoth(cmd, ended);
    }

    @Override
    <T> AsyncCursor<T> newCursor(RowFactory<T> rowFactory) {
        look();
        return super.newCursor(rowFactory);
    }

    @Override
    <O extends dev.tusk.internal.op.ServerCursorStep, T> CompletableFuture<T> runCursorStep(
            java.util.function.Function<dev.tusk.internal.op.Session, O> make, java.util.function.Function<O, T> outcome) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.runCursorStep(make, outcome);
    }

    @Override
    public <T> AsyncCursor<T> cursor(RowFactory<T> rowFactory) {
        look();
        return super.cursor(rowFactory);
    }

    @Override
    public AsyncClientCursor<R> clientCursor() {
        look();
        return super.clientCursor();
    }

    @Override
    public <T> AsyncClientCursor<T> clientCursor(RowFactory<T> rowFactory) {
        look();
        return super.clientCursor(rowFactory);
    }

    @Override
    public AsyncRawCursor<R> rawCursor() {
        look();
        return super.rawCursor();
    }

    @Override
    public <T> AsyncRawCursor<T> rawCursor(RowFactory<T> rowFactory) {
        look();
        return super.rawCursor(rowFactory);
    }

    @Override
    public AsyncServerCursor<R> cursor(String name) {
        look();
        return super.cursor(name);
    }

    @Override
    public <T> AsyncServerCursor<T> cursor(String name, RowFactory<T> rowFactory) {
        look();
        return super.cursor(name, rowFactory);
    }

    @Override
    public AsyncRawServerCursor<R> rawCursor(String name) {
        look();
        return super.rawCursor(name);
    }

    @Override
    public <T> AsyncRawServerCursor<T> rawCursor(String name, RowFactory<T> rowFactory) {
        look();
        return super.rawCursor(name, rowFactory);
    }

    @Override
    public CompletableFuture<AsyncCursor<R>> execute(String query) {
        if (useOrNull() == null) {
            return failed();
        }
        return super.execute(query);
    }

    @Override
    public CompletableFuture<AsyncCursor<R>> execute(String query, Object... params) {
        if (useOrNull() == null) {
            return failed();
        }
        return super.execute(query, params);
    }

    @Override
    public CompletableFuture<AsyncCursor<R>> execute(String query, Map<String, ?> params) {
        if (useOrNull() == null) {
            return failed();
        }
        return super.execute(query, params);
    }

    @Override
    public CompletableFuture<AsyncCursor<R>> execute(String query, List<?> params, ExecuteOptions options) {
        if (useOrNull() == null) {
            return failed();
        }
        return super.execute(query, params, options);
    }

    @Override
    public CompletableFuture<AsyncCursor<R>> execute(dev.tusk.sql.Composable query, Object... params) {
        if (useOrNull() == null) {
            return failed();
        }
        return super.execute(query, params);
    }

    @Override
    public CompletableFuture<AsyncCursor<R>> execute(dev.tusk.sql.Composable query, Map<String, ?> params) {
        if (useOrNull() == null) {
            return failed();
        }
        return super.execute(query, params);
    }

    @Override
    public AdaptersMap adapters() {
        return use().adapters();
    }

    @Override
    public CompletableFuture<TypeInfo> lookUpType(TypeCatalog.Lookup lookup) {
        AsyncConnection<R> c = useOrNull();
        return c == null ? failed() : c.lookUpType(lookup);
    }

    @Override
    public java.util.concurrent.Flow.Publisher<R> stream(String query, Object... params) {
        use();
        return super.stream(query, params);
    }

    @Override
    public java.util.concurrent.Flow.Publisher<R> stream(dev.tusk.sql.Composable query, Object... params) {
        use();
        return super.stream(query, params);
    }

    @Override
    public AsyncPipeline pipeline() {
        return use().pipeline();
    }

    @Override
    public <T> CompletableFuture<T> transaction(Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.transaction(body);
    }

    @Override
    public <T> CompletableFuture<T> transaction(TransactionOptions options, Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.transaction(options, body);
    }

    @Override
    public CompletableFuture<Void> commit() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.commit();
    }

    @Override
    public CompletableFuture<Void> rollback() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.rollback();
    }

    @Override
    public boolean autocommit() {
        return look().autocommit();
    }

    @Override
    public CompletableFuture<Void> setAutocommit(boolean on) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.setAutocommit(on);
    }

    @Override
    public IsolationLevel isolationLevel() {
        return look().isolationLevel();
    }

    @Override
    public CompletableFuture<Void> setIsolationLevel(IsolationLevel level) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.setIsolationLevel(level);
    }

    @Override
    public Boolean readOnly() {
        return look().readOnly();
    }

    @Override
    public CompletableFuture<Void> setReadOnly(Boolean on) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.setReadOnly(on);
    }

    @Override
    public Boolean deferrable() {
        return look().deferrable();
    }

    @Override
    public CompletableFuture<Void> setDeferrable(Boolean on) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.setDeferrable(on);
    }

    @Override
    public Duration statementTimeout() {
        return look().statementTimeout();
    }

    @Override
    public void setStatementTimeout(Duration timeout) {
        use().setStatementTimeout(timeout);
    }

    // psycopg's settable connection attributes: forwarded (a setter marks the lease used, so the pool's reset
    // puts them back to the connection options')

    @Override
    public Integer prepareThreshold() {
        return look().prepareThreshold();
    }

    @Override
    public void setPrepareThreshold(Integer threshold) {
        use().setPrepareThreshold(threshold);
    }

    @Override
    public int preparedMax() {
        return look().preparedMax();
    }

    @Override
    public void setPreparedMax(int max) {
        use().setPreparedMax(max);
    }

    @Override
    public RowFactory<R> rowFactory() {
        return look().rowFactory();
    }

    @Override
    public void setRowFactory(RowFactory<R> factory) {
        use().setRowFactory(factory);
    }

    @Override
    public CursorFactory cursorFactory() {
        return look().cursorFactory();
    }

    @Override
    public void setCursorFactory(CursorFactory factory) {
        use().setCursorFactory(factory);
    }

    @Override
    public ServerCursorFactory serverCursorFactory() {
        return look().serverCursorFactory();
    }

    @Override
    public void setServerCursorFactory(ServerCursorFactory factory) {
        use().setServerCursorFactory(factory);
    }

    @Override
    public Xid xid(int formatId, String gtrid, String bqual) {
        return look().xid(formatId, gtrid, bqual);
    }

    @Override
    public Xid xid(int formatId, String gtrid) {
        return look().xid(formatId, gtrid);
    }

    @Override
    public CompletableFuture<Void> tpcBegin(Xid xid) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcBegin(xid);
    }

    @Override
    public CompletableFuture<Void> tpcBegin(String gtrid) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcBegin(gtrid);
    }

    @Override
    public CompletableFuture<Void> tpcPrepare() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcPrepare();
    }

    @Override
    public CompletableFuture<Void> tpcCommit() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcCommit();
    }

    @Override
    public CompletableFuture<Void> tpcCommit(Xid xid) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcCommit(xid);
    }

    @Override
    public CompletableFuture<Void> tpcRollback() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcRollback();
    }

    @Override
    public CompletableFuture<Void> tpcRollback(Xid xid) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcRollback(xid);
    }

    @Override
    public CompletableFuture<List<Xid>> tpcRecover() {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.tpcRecover();
    }

    @Override
    public ConnectionInfo info() {
        return look().info();
    }

    @Override
    public AsyncServerSettings settings() {
        use();
        return super.settings();
    }

    @Override
    public CompletableFuture<Void> cancel() {
        AsyncConnection<R> c = (pooled.isCurrentLease(this) ? pooled : null);
        if (c == null) {
            return failed();
        }
        return c.cancel();
    }

    @Override
    public CompletableFuture<Void> cancelSafe(Duration timeout) {
        AsyncConnection<R> c = (pooled.isCurrentLease(this) ? pooled : null);
        if (c == null) {
            return failed();
        }
        return c.cancelSafe(timeout);
    }

    @Override
    public java.util.concurrent.Flow.Publisher<Notify> notifications() {
        return use().notifications();
    }

    @Override
    public java.util.concurrent.Flow.Publisher<Notify> notifies(Duration timeout, Integer stopAfter) {
        return use().notifies(timeout, stopAfter);
    }

    /** The handler is removed when the lease ends. */
    @Override
    public void addNotifyHandler(Consumer<Notify> handler) {
        use().addNotifyHandler(handler);
        if (notifyHandlers == null) {
            notifyHandlers = new ArrayList<>(2);
        }
        notifyHandlers.add(handler);
    }

    @Override
    public void removeNotifyHandler(Consumer<Notify> handler) {
        use().removeNotifyHandler(handler);
        if (notifyHandlers != null) {
            notifyHandlers.remove(handler);
        }
    }

    /** The handler is removed when the lease ends. */
    @Override
    public void addNoticeHandler(Consumer<Diagnostic> handler) {
        use().addNoticeHandler(handler);
        if (noticeHandlers == null) {
            noticeHandlers = new ArrayList<>(2);
        }
        noticeHandlers.add(handler);
    }

    @Override
    public void removeNoticeHandler(Consumer<Diagnostic> handler) {
        use().removeNoticeHandler(handler);
        if (noticeHandlers != null) {
            noticeHandlers.remove(handler);
        }
    }

    // ---------------------------------------------------------------- what cursors, copies, pipelines, streams call

    @Override
    <T> CompletableFuture<AsyncCursor<T>> run(AsyncCursor<T> cursor, String query, Object params, ExecuteOptions opts) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.run(cursor, query, params, opts);
    }

    @Override
    <T> CompletableFuture<AsyncCursor<T>> runMany(AsyncCursor<T> cursor, String query, Iterable<?> paramSets, boolean returning) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.runMany(cursor, query, paramSets, returning);
    }

    @Override
    void holdBack() {
        use().holdBack();
    }

    @Override
    void releaseHeldBack() {
        use().releaseHeldBack();
    }

    @Override
    CompletableFuture<Void> pipelineSync(AsyncPipeline p, boolean leave) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.pipelineSync(p, leave);
    }

    @Override
    PipelineStatus pipelineStatus() {
        return look().pipelineStatus();
    }

    @Override
    void pipelineAborted() {
        use().pipelineAborted();
    }

    @Override
    CompletableFuture<AsyncCopy> startCopy(AsyncCursor<?> cursor, String sql) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.startCopy(cursor, sql);
    }

    @Override
    CompletableFuture<Void> onLoop(Consumer<LoopFuture<Void>> action) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.onLoop(action);
    }

    @Override
    CompletableFuture<Void> runOwn(Function<Boolean, OwnStatement> choose) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.runOwn(choose);
    }

    @Override
    CompletableFuture<String> runOwnForTag(Function<Boolean, OwnStatement> choose) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.runOwnForTag(choose);
    }

    @Override
    CompletableFuture<List<ResultData>> runOwnForResults(Function<Boolean, OwnStatement> choose) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.runOwnForResults(choose);
    }

    @Override
    <T> CompletableFuture<T> runStep(dev.tusk.internal.op.TransactionOp step,
                                     Function<dev.tusk.internal.op.TransactionOp, T> outcome) {
        AsyncConnection<R> c = useOrNull();
        if (c == null) {
            return failed();
        }
        return c.runStep(step, outcome);
    }

    @Override
    char expectedStatus() {
        return look().expectedStatus();
    }

    @Override
    java.util.concurrent.Executor loopExecutor() {
        return use().loopExecutor();
    }

    @Override
    EventLoopDriver driver() {
        return use().driver();
    }

    @Override
    int inFlight() {
        return look().inFlight();
    }
}
