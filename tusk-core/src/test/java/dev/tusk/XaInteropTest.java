package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.postgresql.xa.PGXADataSource;

import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Two-phase transactions started by one driver and finished by the other: pgjdbc's XA ids are Tusk's Xids. */
@TuskTest
class XaInteropTest {
    private record JdbcXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier)
            implements javax.transaction.xa.Xid {
    }

    private static PGXADataSource dataSource(TestDatabase db) {
        PGXADataSource ds = new PGXADataSource();
        ds.setServerNames(new String[] {db.host()});
        ds.setPortNumbers(new int[] {db.port()});
        ds.setDatabaseName(db.dbname());
        ds.setUser(db.superuser());
        return ds;
    }

    @Test
    void aTransactionPreparedByPgjdbcIsRecoveredAndCommittedByTusk(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE xa (v text)");
        JdbcXid jdbcXid = new JdbcXid(4242, "tusk-xa-gtrid".getBytes(StandardCharsets.US_ASCII),
                "branch-1".getBytes(StandardCharsets.US_ASCII));
        XAConnection xa = dataSource(db).getXAConnection();
        try {
            XAResource res = xa.getXAResource();
            res.start(jdbcXid, XAResource.TMNOFLAGS);
            try (var st = xa.getConnection().createStatement()) {
                st.execute("INSERT INTO xa VALUES ('from pgjdbc')");
            }
            res.end(jdbcXid, XAResource.TMSUCCESS);
            assertThat(res.prepare(jdbcXid)).isEqualTo(XAResource.XA_OK);
        } finally {
            xa.close();
        }
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Xid found = conn.tpcRecover().stream().filter(x -> "tusk-xa-gtrid".equals(x.gtrid())).findFirst().orElseThrow();
            assertThat(found.formatId()).isEqualTo(4242);
            assertThat(found.bqual()).isEqualTo("branch-1");
            conn.tpcCommit(found);
        }
        assertThat(db.adminQuery("SELECT string_agg(v, ',') FROM xa")).isEqualTo("from pgjdbc");
    }

    @Test
    void aTransactionPreparedByTuskIsRecoveredAndRolledBackByPgjdbc(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE xb (v text)");
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            conn.tpcBegin(conn.xid(7, "tusk-side", "b"));
            conn.execute("INSERT INTO xb VALUES (%s)", "from tusk");
            conn.tpcPrepare();
        }
        XAConnection xa = dataSource(db).getXAConnection();
        try {
            XAResource res = xa.getXAResource();
            List<javax.transaction.xa.Xid> ids = Arrays.asList(res.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN));
            javax.transaction.xa.Xid mine = ids.stream()
                    .filter(x -> new String(x.getGlobalTransactionId(), StandardCharsets.US_ASCII).equals("tusk-side"))
                    .findFirst().orElseThrow();
            assertThat(mine.getFormatId()).isEqualTo(7);
            assertThat(new String(mine.getBranchQualifier(), StandardCharsets.US_ASCII)).isEqualTo("b");
            res.rollback(mine);
        } finally {
            xa.close();
        }
        assertThat(db.adminQuery("SELECT count(*) FROM xb")).isEqualTo("0");
        assertThat(db.adminQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE '7\\_%'")).isEqualTo("0");
    }
}
