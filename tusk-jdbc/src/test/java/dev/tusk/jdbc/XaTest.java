package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.xa.PGXADataSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Arrays;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TuskXADataSource: two-phase commit through XAResource, recovery, and Xids shared with pgjdbc. */
@TuskTest
@Timeout(120)
class XaTest {
    record TestXid(int format, byte[] gtrid, byte[] bqual) implements Xid {
        static TestXid of(String g, String b) {
            return new TestXid(4711, g.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int getFormatId() {
            return format;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid;
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual;
        }
    }

    private static boolean contains(Xid[] xids, Xid x) {
        return Arrays.stream(xids).anyMatch(y -> y.getFormatId() == x.getFormatId()
                && Arrays.equals(y.getGlobalTransactionId(), x.getGlobalTransactionId())
                && Arrays.equals(y.getBranchQualifier(), x.getBranchQualifier()));
    }

    private static TuskXADataSource xads(TestDatabase db) {
        return new TuskXADataSource(Jdbc.url(db));
    }

    @Test
    void prepareThenCommitAndRollback(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE xa (id int)");
        XAConnection xac = xads(db).getXAConnection();
        try {
            XAResource res = xac.getXAResource();
            Connection c = xac.getConnection();
            Xid x1 = TestXid.of("tx-1", "b1");
            res.start(x1, XAResource.TMNOFLAGS);
            c.createStatement().executeUpdate("INSERT INTO xa VALUES (1)");
            res.end(x1, XAResource.TMSUCCESS);
            assertThat(res.prepare(x1)).isEqualTo(XAResource.XA_OK);
            assertThat(db.adminQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE '4711_%'")).isEqualTo("1");
            assertThat(db.adminQuery("SELECT count(*) FROM xa")).isEqualTo("0");
            res.commit(x1, false);
            assertThat(db.adminQuery("SELECT count(*) FROM xa")).isEqualTo("1");

            Xid x2 = TestXid.of("tx-2", "b1");
            res.start(x2, XAResource.TMNOFLAGS);
            c.createStatement().executeUpdate("INSERT INTO xa VALUES (2)");
            res.end(x2, XAResource.TMSUCCESS);
            res.prepare(x2);
            res.rollback(x2);
            assertThat(db.adminQuery("SELECT count(*) FROM xa")).isEqualTo("1");

            // one-phase commit, and local work in autocommit afterwards
            Xid x3 = TestXid.of("tx-3", "b1");
            res.start(x3, XAResource.TMNOFLAGS);
            c.createStatement().executeUpdate("INSERT INTO xa VALUES (3)");
            res.end(x3, XAResource.TMSUCCESS);
            res.commit(x3, true);
            assertThat(c.getAutoCommit()).isTrue();
            c.createStatement().executeUpdate("INSERT INTO xa VALUES (4)");
            assertThat(db.adminQuery("SELECT count(*) FROM xa")).isEqualTo("3");

            assertThatThrownBy(() -> res.start(TestXid.of("tx-4", "b"), XAResource.TMRESUME))
                    .isInstanceOf(XAException.class)
                    .satisfies(e -> assertThat(((XAException) e).errorCode).isEqualTo(XAException.XAER_INVAL));
            assertThatThrownBy(() -> res.commit(TestXid.of("nobody", "b"), false))
                    .isInstanceOf(XAException.class)
                    .satisfies(e -> assertThat(((XAException) e).errorCode).isEqualTo(XAException.XAER_NOTA));
        } finally {
            xac.close();
        }
    }

    @Test
    void aTransactionPreparedByTuskIsRecoveredAndFinishedByPgjdbc(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE xa1 (id int)");
        // binary bytes in the ids: not UTF-8, still the same gid for both drivers
        Xid x = new TestXid(1, new byte[] {(byte) 0xff, 0, 1, 2}, new byte[] {(byte) 0xfe});
        XAConnection tusk = xads(db).getXAConnection();
        try {
            XAResource res = tusk.getXAResource();
            res.start(x, XAResource.TMNOFLAGS);
            tusk.getConnection().createStatement().executeUpdate("INSERT INTO xa1 VALUES (1)");
            res.end(x, XAResource.TMSUCCESS);
            res.prepare(x);
        } finally {
            tusk.close(); // a prepared transaction survives its connection
        }
        PGXADataSource pg = new PGXADataSource();
        pg.setUrl(Jdbc.pgjdbcUrl(db));
        XAConnection other = pg.getXAConnection();
        try {
            XAResource res = other.getXAResource();
            Xid[] found = res.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            assertThat(contains(found, x)).isTrue();
            res.commit(x, false);
        } finally {
            other.close();
        }
        assertThat(db.adminQuery("SELECT count(*) FROM xa1")).isEqualTo("1");
    }

    @Test
    void aTransactionPreparedByPgjdbcIsRecoveredAndFinishedByTusk(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE xa2 (id int)");
        Xid x = TestXid.of("from-pgjdbc", "branch");
        PGXADataSource pg = new PGXADataSource();
        pg.setUrl(Jdbc.pgjdbcUrl(db));
        XAConnection pgc = pg.getXAConnection();
        try {
            XAResource res = pgc.getXAResource();
            res.start(x, XAResource.TMNOFLAGS);
            pgc.getConnection().createStatement().executeUpdate("INSERT INTO xa2 VALUES (1)");
            res.end(x, XAResource.TMSUCCESS);
            res.prepare(x);
        } finally {
            pgc.close();
        }
        XAConnection tusk = xads(db).getXAConnection();
        try {
            XAResource res = tusk.getXAResource();
            Xid[] found = res.recover(XAResource.TMSTARTRSCAN);
            assertThat(contains(found, x)).isTrue();
            res.rollback(x);
            assertThat(contains(res.recover(XAResource.TMSTARTRSCAN), x)).isFalse();
        } finally {
            tusk.close();
        }
        assertThat(db.adminQuery("SELECT count(*) FROM xa2")).isEqualTo("0");
    }
}
