package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.InterfaceException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.io.BlockingDriver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One lease of a pooled {@link Connection}: what {@code pool.connection()} returns. Every call is forwarded
 * to the pooled connection while the lease lasts; once it ended ({@link #close()}, or the pool's
 * {@code putconn}) every call but {@code close()} (a no-op), {@code isClosed()} (true) and {@code isBroken()}
 * raises an {@link InterfaceException}, so a reference kept after close() can never act on the session of
 * the next borrower. Cursors made here belong to the lease too; the pool closes a connection whose pipeline,
 * COPY or stream a borrower left open, which ends those as well.
 *
 * <p>This class must override every public and package-private method of {@link Connection} (a test checks
 * it by reflection): one it inherited would run on the handle's own fields instead of the pooled connection.
 */
final class PooledLease<R> extends Connection<R> {
    private final Connection<R> pooled;
    /** Handlers added through this lease, removed from the pooled connection when it ends; null: none. */
    private List<Consumer<Notify>> notifyHandlers;
    private List<Consumer<Diagnostic>> noticeHandlers;

    PooledLease(Connection<R> pooled) {
        super(pooled);
        this.pooled = pooled;
    }

    Connection<R> pooled() {
        return pooled;
    }

    /** Refuses the call once the lease ended; else marks the lease as one that used the connection. */
    private Connection<R> use() {
        Connection<R> c = pooled;
        if (!c.isCurrentLease(this)) {
            throw ended();
        }
        if (!c.leaseUsed) {
            c.leaseUsed = true;
        }
        return c;
    }

    /** As {@link #use()} for calls that only read the connection's state. */
    private Connection<R> look() {
        Connection<R> c = pooled;
        if (!c.isCurrentLease(this)) {
            throw ended();
        }
        return c;
    }

    private static InterfaceException ended() {
        return new InterfaceException("this connection was given back to its pool (its close() ended the lease) and"
                + " may now be lent to someone else: lease another one with pool.connection()");
    }

    // ---------------------------------------------------------------- life cycle

    /** Ends the lease and gives the connection back to its pool; a second call does nothing. */
    @Override
    public void close() {
        Connection<R> c = pooled;
        if (!c.endLease(this)) {
            return;
        }
        if (notifyHandlers != null) {
            notifyHandlers.forEach(c::removeNotifyHandler);
        }
        if (noticeHandlers != null) {
            noticeHandlers.forEach(c::removeNoticeHandler);
        }
        c.close(); // a pooled connection's close() gives it back
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
        return "PooledLease[" + (pooled.isCurrentLease(this) ? "" : "ended, ") + pooled + "]";
    }

    // ---------------------------------------------------------------- cursors (bound to this lease)

    @Override
    public Cursor<R> cursor() {
        look();
        return super.cursor();
    }

    @Override
    public <T> Cursor<T> cursor(RowFactory<T> rowFactory) {
        look();
        return super.cursor(rowFactory);
    }

    @Override
    public ClientCursor<R> clientCursor() {
        look();
        return super.clientCursor();
    }

    @Override
    public <T> ClientCursor<T> clientCursor(RowFactory<T> rowFactory) {
        look();
        return super.clientCursor(rowFactory);
    }

    @Override
    public RawCursor<R> rawCursor() {
        look();
        return super.rawCursor();
    }

    @Override
    public <T> RawCursor<T> rawCursor(RowFactory<T> rowFactory) {
        look();
        return super.rawCursor(rowFactory);
    }

    @Override
    public ServerCursor<R> cursor(String name) {
        look();
        return super.cursor(name);
    }

    @Override
    public <T> ServerCursor<T> cursor(String name, RowFactory<T> rowFactory) {
        look();
        return super.cursor(name, rowFactory);
    }

    @Override
    public RawServerCursor<R> rawCursor(String name) {
        look();
        return super.rawCursor(name);
    }

    @Override
    public <T> RawServerCursor<T> rawCursor(String name, RowFactory<T> rowFactory) {
        look();
        return super.rawCursor(name, rowFactory);
    }

    @Override
    public Cursor<R> execute(String query) {
        use();
        return super.execute(query);
    }

    @Override
    public Cursor<R> execute(String query, Object... params) {
        use();
        return super.execute(query, params);
    }

    @Override
    public Cursor<R> execute(String query, Map<String, ?> params) {
        use();
        return super.execute(query, params);
    }

    @Override
    public Cursor<R> execute(String query, List<?> params, ExecuteOptions options) {
        use();
        return super.execute(query, params, options);
    }

    @Override
    public Cursor<R> execute(dev.tusk.sql.Composable query, Object... params) {
        use();
        return super.execute(query, params);
    }

    @Override
    public Cursor<R> execute(dev.tusk.sql.Composable query, Map<String, ?> params) {
        use();
        return super.execute(query, params);
    }

    @Override
    public Cursor<R> execute(dev.tusk.sql.Composable query, List<?> params, ExecuteOptions options) {
        use();
        return super.execute(query, params, options);
    }

    @Override
    public AdaptersMap adapters() {
        return use().adapters();
    }

    @Override
    public TypeInfo lookUpType(TypeCatalog.Lookup lookup) {
        return use().lookUpType(lookup);
    }

    // ---------------------------------------------------------------- what cursors call

    @Override
    void run(Cursor<?> cursor, String query, Object params, ExecuteOptions opts) {
        use().run(cursor, query, params, opts);
    }

    @Override
    void runMany(Cursor<?> cursor, String query, Iterable<?> paramSets, boolean returning) {
        use().runMany(cursor, query, paramSets, returning);
    }

    @Override
    <T> RowStream<T> openStream(Cursor<T> cursor, RowFactory<T> factory, String query, Object params) {
        return use().openStream(cursor, factory, query, params);
    }

    @Override
    <T> RowStream<T> openStream(Cursor<T> cursor, RowFactory<T> factory, String query, Object params,
                                ExecuteOptions opts, boolean keepRest) {
        return use().openStream(cursor, factory, query, params, opts, keepRest);
    }

    /** Closing a stream of an ended lease does nothing (the pool dealt with it). */
    @Override
    void closeStream(RowStream<?> s) {
        if (pooled.isCurrentLease(this)) {
            pooled.closeStream(s);
        }
    }

    @Override
    RowStream<?> activeStream() {
        return use().activeStream();
    }

    @Override
    boolean streaming(Cursor<?> cursor) {
        return look().streaming(cursor);
    }

    @Override
    void streamEnded(RowStream<?> s) {
        use().streamEnded(s);
    }

    @Override
    Copy startCopy(Cursor<?> cursor, String sql) {
        return use().startCopy(cursor, sql);
    }

    @Override
    void awaitPipelined(QueryCommand cmd) {
        use().awaitPipelined(cmd);
    }

    @Override
    void pipelineEnded(Pipeline p, Pipeline outer) {
        use().pipelineEnded(p, outer);
    }

    @Override
    PipelineStatus pipelineStatus() {
        return look().pipelineStatus();
    }

    @Override
    void syncPipelineIfAny() {
        use().syncPipelineIfAny();
    }

    @Override
    void runOperation(dev.tusk.internal.op.Operation op) {
        use().runOperation(op);
    }

    @Override
    <O extends dev.tusk.internal.op.ServerCursorStep> O runCursorStep(
            java.util.function.Function<dev.tusk.internal.op.Session, O> make) {
        return use().runCursorStep(make);
    }

    @Override
    void syncSent() {
        use().syncSent();
    }

    @Override
    void runInternal(String sql) {
        use().runInternal(sql);
    }

    @Override
    Duration awaitTimed(dev.tusk.internal.core.Command cmd) {
        return use().awaitTimed(cmd);
    }

    @Override
    Duration awaitTimed(dev.tusk.internal.core.Command cmd, Duration timeout) {
        return use().awaitTimed(cmd, timeout);
    }

    @Override
    Duration runTimed(dev.tusk.internal.core.Command cmd) {
        return use().runTimed(cmd);
    }

    @Override
    void checkUsable() {
        use().checkUsable();
    }

    @Override
    void checkUsable(Copy by) {
        use().checkUsable(by);
    }

    @Override
    boolean abandon(dev.tusk.internal.core.Command cmd, String what, boolean cancel) {
        return use().abandon(cmd, what, cancel);
    }

    @Override
    void copyEnded(Copy c) {
        use().copyEnded(c);
    }

    @Override
    boolean inPipeline() {
        return look().inPipeline();
    }

    @Override
    void pipelineErrorRaised(dev.tusk.errors.TuskException e) {
        look().pipelineErrorRaised(e);
    }

    @Override
    void pollServer(int millis) {
        use().pollServer(millis);
    }

    @Override
    BlockingDriver driver() {
        return use().driver();
    }

    @Override
    ConnParams params() {
        return look().params();
    }

    @Override
    void markClosed() {
        use().markClosed();
    }

    // ---------------------------------------------------------------- pipeline, timeouts

    @Override
    public Pipeline pipeline() {
        return use().pipeline();
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

    // ---------------------------------------------------------------- transactions

    @Override
    public void commit() {
        use().commit();
    }

    @Override
    public void rollback() {
        use().rollback();
    }

    @Override
    public boolean autocommit() {
        return look().autocommit();
    }

    @Override
    public void setAutocommit(boolean on) {
        use().setAutocommit(on);
    }

    @Override
    public IsolationLevel isolationLevel() {
        return look().isolationLevel();
    }

    @Override
    public void setIsolationLevel(IsolationLevel level) {
        use().setIsolationLevel(level);
    }

    @Override
    public Boolean readOnly() {
        return look().readOnly();
    }

    @Override
    public void setReadOnly(Boolean on) {
        use().setReadOnly(on);
    }

    @Override
    public Boolean deferrable() {
        return look().deferrable();
    }

    @Override
    public void setDeferrable(Boolean on) {
        use().setDeferrable(on);
    }

    @Override
    public <T, E extends Exception> T transaction(TransactionBody<T, E> body) throws E {
        return use().transaction(body);
    }

    @Override
    public <T, E extends Exception> T transaction(TransactionOptions opts, TransactionBody<T, E> body) throws E {
        return use().transaction(opts, body);
    }

    @Override
    public Transaction transaction() {
        return use().transaction();
    }

    @Override
    public Transaction transaction(TransactionOptions opts) {
        return use().transaction(opts);
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
    public void tpcBegin(Xid xid) {
        use().tpcBegin(xid);
    }

    @Override
    public void tpcBegin(String gtrid) {
        use().tpcBegin(gtrid);
    }

    @Override
    public void tpcPrepare() {
        use().tpcPrepare();
    }

    @Override
    public void tpcCommit() {
        use().tpcCommit();
    }

    @Override
    public void tpcCommit(Xid xid) {
        use().tpcCommit(xid);
    }

    @Override
    public void tpcRollback() {
        use().tpcRollback();
    }

    @Override
    public void tpcRollback(Xid xid) {
        use().tpcRollback(xid);
    }

    @Override
    public List<Xid> tpcRecover() {
        return use().tpcRecover();
    }

    // ---------------------------------------------------------------- state

    @Override
    public ConnectionInfo info() {
        return look().info();
    }

    @Override
    public ServerSettings settings() {
        use();
        return super.settings(); // bound to this lease: its queries go through it
    }

    // ---------------------------------------------------------------- cancellation

    /** Refused once the lease ended: it would cancel the next borrower's statement. */
    @Override
    public void cancel() {
        look().cancel();
    }

    @Override
    public void cancelSafe(Duration timeout) {
        look().cancelSafe(timeout);
    }

    // ---------------------------------------------------------------- notifications and notices

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

    @Override
    public List<Notify> notifies() {
        return use().notifies();
    }

    @Override
    public java.util.stream.Stream<Notify> notifies(Duration timeout, Integer stopAfter) {
        return use().notifies(timeout, stopAfter);
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
}
