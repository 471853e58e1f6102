package dev.tusk.jdbc;

import dev.tusk.jdbc.internal.JdbcConnection;
import dev.tusk.jdbc.internal.TuskXAConnection;

import java.sql.SQLException;
import javax.sql.XAConnection;
import javax.sql.XADataSource;

/**
 * An {@link XADataSource} for transaction managers (Narayana, Atomikos, ...): each {@link XAConnection} is one
 * Tusk connection whose {@link javax.transaction.xa.XAResource} runs Tusk's two-phase commit
 * ({@code PREPARE TRANSACTION}, {@code COMMIT PREPARED}). Transaction ids are written as pgjdbc writes them
 * ({@code formatId_base64(gtrid)_base64(bqual)}), so a transaction prepared through pgjdbc can be recovered and
 * finished through Tusk, and the other way round.
 *
 * <pre>{@code
 * TuskXADataSource xads = new TuskXADataSource();
 * xads.setUrl("jdbc:tusk:postgresql://localhost/app?user=app");
 * XAConnection xac = xads.getXAConnection();
 * XAResource res = xac.getXAResource();
 * res.start(xid, XAResource.TMNOFLAGS);
 * xac.getConnection().createStatement().executeUpdate("UPDATE account SET balance = balance - 10 WHERE id = 1");
 * res.end(xid, XAResource.TMSUCCESS);
 * res.prepare(xid);
 * res.commit(xid, false);
 * }</pre>
 */
public class TuskXADataSource extends TuskDataSource implements XADataSource {
    public TuskXADataSource() {
    }

    public TuskXADataSource(String url) {
        super(url);
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
        return new TuskXAConnection((JdbcConnection) getConnection());
    }

    @Override
    public XAConnection getXAConnection(String user, String password) throws SQLException {
        return new TuskXAConnection((JdbcConnection) getConnection(user, password));
    }
}
