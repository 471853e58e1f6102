package dev.tusk.jdbc.internal;

import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * {@link XAResource} over Tusk's two-phase commit ({@code tpcBegin}, {@code tpcPrepare}, {@code tpcCommit},
 * {@code tpcRollback}, {@code tpcRecover}). The gid is pgjdbc's: {@code formatId_base64(gtrid)_base64(bqual)} of
 * the raw bytes, so both drivers recover each other's transactions. One transaction at a time per connection
 * (PostgreSQL has no suspend/resume): TMSUSPEND, TMRESUME and a TMJOIN of another xid are refused.
 */
final class TuskXAResource implements XAResource {
    private final JdbcConnection jdbc;
    private Xid current;
    private boolean ended;
    private boolean prepared;

    TuskXAResource(JdbcConnection jdbc) {
        this.jdbc = jdbc;
    }

    boolean inTransaction() {
        return current != null;
    }

    /** pgjdbc's gid for {@code xid}. */
    static String gid(Xid xid) {
        Base64.Encoder b = Base64.getEncoder();
        return xid.getFormatId() + "_" + b.encodeToString(xid.getGlobalTransactionId()) + "_"
                + b.encodeToString(xid.getBranchQualifier());
    }

    /** The xid of a pgjdbc-style gid, or null for a gid of another form. */
    static Xid parse(String gid) {
        String[] parts = gid.split("_", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            int format = Integer.parseInt(parts[0]);
            byte[] g = Base64.getDecoder().decode(parts[1]);
            byte[] q = Base64.getDecoder().decode(parts[2]);
            return new SimpleXid(format, g, q);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private record SimpleXid(int format, byte[] gtrid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return format;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Xid x && x.getFormatId() == format && Arrays.equals(x.getGlobalTransactionId(), gtrid)
                    && Arrays.equals(x.getBranchQualifier(), bqual);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * format + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
        }
    }

    private static boolean same(Xid a, Xid b) {
        return a != null && b != null && a.getFormatId() == b.getFormatId()
                && Arrays.equals(a.getGlobalTransactionId(), b.getGlobalTransactionId())
                && Arrays.equals(a.getBranchQualifier(), b.getBranchQualifier());
    }

    private static XAException xa(int code, String message, Throwable cause) {
        XAException e = new XAException(message);
        e.errorCode = code;
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static XAException fromTusk(TuskException e, String what) {
        String state = e.sqlstate();
        int code = "42704".equals(state) ? XAException.XAER_NOTA : state != null && state.startsWith("08") ? XAException.XAER_RMFAIL : XAException.XAER_RMERR;
        if (e instanceof OperationalException && state == null) {
            code = XAException.XAER_RMFAIL;
        }
        return xa(code, what + " failed: " + e.getMessage(), e);
    }

    private dev.tusk.Connection<Row> conn() throws XAException {
        try {
            return jdbc.tusk();
        } catch (SQLException e) {
            throw xa(XAException.XAER_RMFAIL, "the connection is closed", e);
        }
    }

    private static void checkXid(Xid xid) throws XAException {
        if (xid == null || xid.getGlobalTransactionId() == null || xid.getBranchQualifier() == null) {
            throw xa(XAException.XAER_INVAL, "an xid with a global transaction id and a branch qualifier is needed", null);
        }
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        checkXid(xid);
        if (flags == TMJOIN && same(xid, current) && ended && !prepared) {
            ended = false; // the same branch again, on the same connection
            return;
        }
        if (flags != TMNOFLAGS) {
            throw xa(XAException.XAER_INVAL, "start flag " + flags + " is not supported: PostgreSQL runs one transaction per "
                    + "connection (no TMJOIN of another branch, no TMRESUME)", null);
        }
        if (current != null) {
            throw xa(XAException.XAER_PROTO, "this connection already runs transaction " + gid(current), null);
        }
        dev.tusk.Connection<Row> c = conn();
        try {
            if (c.info().transactionStatus() != TransactionStatus.IDLE) {
                throw xa(XAException.XAER_PROTO, "the connection has a local transaction open: commit or roll it back first", null);
            }
            if (c.autocommit()) {
                c.setAutocommit(false);
            }
            c.tpcBegin(gid(xid));
        } catch (TuskException e) {
            throw fromTusk(e, "start");
        }
        current = xid;
        ended = false;
        prepared = false;
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        checkXid(xid);
        if (!same(xid, current)) {
            throw xa(XAException.XAER_NOTA, "end: " + gid(xid) + " is not this connection's transaction", null);
        }
        if (flags == TMSUSPEND) {
            throw xa(XAException.XAER_INVAL, "TMSUSPEND is not supported (PostgreSQL cannot suspend a transaction)", null);
        }
        if (flags != TMSUCCESS && flags != TMFAIL) {
            throw xa(XAException.XAER_INVAL, "end flag " + flags + " is not supported", null);
        }
        ended = true;
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        checkXid(xid);
        if (!same(xid, current)) {
            throw xa(XAException.XAER_NOTA, "prepare: " + gid(xid) + " is not this connection's transaction", null);
        }
        if (!ended) {
            throw xa(XAException.XAER_PROTO, "prepare before end", null);
        }
        try {
            conn().tpcPrepare();
        } catch (TuskException e) {
            finish();
            throw fromTusk(e, "prepare");
        }
        prepared = true;
        return XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        checkXid(xid);
        dev.tusk.Connection<Row> c = conn();
        try {
            if (same(xid, current)) {
                if (onePhase == prepared) {
                    throw xa(XAException.XAER_PROTO, onePhase ? "one-phase commit of a prepared transaction" : "two-phase commit before prepare", null);
                }
                c.tpcCommit();
                finish();
            } else {
                if (onePhase) {
                    throw xa(XAException.XAER_NOTA, "one-phase commit of " + gid(xid) + ", which this connection does not run", null);
                }
                c.tpcCommit(dev.tusk.Xid.fromString(gid(xid))); // recovery: a transaction prepared elsewhere
            }
        } catch (TuskException e) {
            throw fromTusk(e, "commit");
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        checkXid(xid);
        dev.tusk.Connection<Row> c = conn();
        try {
            if (same(xid, current)) {
                c.tpcRollback();
                finish();
            } else {
                c.tpcRollback(dev.tusk.Xid.fromString(gid(xid)));
            }
        } catch (TuskException e) {
            throw fromTusk(e, "rollback");
        }
    }

    private void finish() {
        current = null;
        ended = false;
        prepared = false;
        try {
            dev.tusk.Connection<Row> c = jdbc.tusk();
            if (c.info().transactionStatus() == TransactionStatus.IDLE && !c.autocommit()) {
                c.setAutocommit(true); // back to JDBC's default for local work
            }
        } catch (SQLException | TuskException ignored) {
            // the connection is gone; the next call says so
        }
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        if ((flag & TMSTARTRSCAN) == 0) {
            return new Xid[0]; // the whole list comes with TMSTARTRSCAN
        }
        dev.tusk.Connection<Row> c = conn();
        try {
            String db = c.info().dbname();
            List<Xid> out = new ArrayList<>();
            for (dev.tusk.Xid x : c.tpcRecover()) {
                if (x.database() != null && !x.database().equals(db)) {
                    continue;
                }
                Xid parsed = parse(x.toString());
                if (parsed != null) {
                    out.add(parsed);
                }
            }
            return out.toArray(new Xid[0]);
        } catch (TuskException e) {
            throw fromTusk(e, "recover");
        }
    }

    /** PostgreSQL never completes a branch heuristically, so there is never one to forget. */
    @Override
    public void forget(Xid xid) throws XAException {
        throw xa(XAException.XAER_NOTA, "forget: PostgreSQL has no heuristically completed transactions", null);
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    /** Not supported: returns false, as the XA contract allows (use the connection's statement timeout). */
    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }
}
