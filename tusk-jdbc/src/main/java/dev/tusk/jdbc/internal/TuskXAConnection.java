package dev.tusk.jdbc.internal;

import dev.tusk.Row;
import dev.tusk.errors.TuskException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.StatementEventListener;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;

/**
 * One physical Tusk connection seen as an {@link XAConnection}: {@link #getConnection()} hands out a logical JDBC
 * connection over it (closing that handle tells the listeners, not the server), {@link #getXAResource()} the
 * resource that runs its two-phase transactions.
 */
public final class TuskXAConnection implements XAConnection {
    private final JdbcConnection physical;
    private final TuskXAResource resource;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private JdbcConnection handle;
    private boolean closed;

    public TuskXAConnection(JdbcConnection physical) throws SQLException {
        this.physical = physical;
        this.resource = new TuskXAResource(physical);
    }

    @Override
    public XAResource getXAResource() throws SQLException {
        check();
        return resource;
    }

    @Override
    public Connection getConnection() throws SQLException {
        check();
        if (handle != null && !handle.isClosed()) {
            handle.close(); // JDBC: a new handle closes the previous one
        }
        dev.tusk.Connection<Row> conn = physical.tusk();
        try {
            if (!resource.inTransaction() && !conn.autocommit()) {
                conn.setAutocommit(true);
            }
        } catch (TuskException e) {
            throw Errors.of(e);
        }
        JdbcConnection[] self = new JdbcConnection[1];
        self[0] = new JdbcConnection(conn, physical.url, physical.user(), JdbcSettings.of(null), () -> {
            ConnectionEvent ev = new ConnectionEvent(this);
            for (ConnectionEventListener l : listeners) {
                l.connectionClosed(ev);
            }
        }, false);
        handle = self[0];
        return handle;
    }

    private void check() throws SQLException {
        if (closed) {
            throw Errors.closed("connection");
        }
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        physical.close();
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        listeners.remove(listener);
    }

    /** Statement events are for statement pools, which Tusk's XA connections do not offer. */
    @Override
    public void addStatementEventListener(StatementEventListener listener) {
        // no statement pooling: no statement events will ever fire (documented, not an error: JDBC allows it)
    }

    @Override
    public void removeStatementEventListener(StatementEventListener listener) {
        // see addStatementEventListener
    }
}
