package dev.tusk.ha;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.ConnectionInfo;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ReadOnlySqlTransaction;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.ReplicationCluster;
import dev.tusk.testing.ReplicationCluster.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code target_session_attrs} and {@code load_balance_hosts} across a real primary and two hot standbys streaming
 * from it, on both drivers, and a standby's refusal to write reported as {@link ReadOnlySqlTransaction}.
 */
@Timeout(180)
class StandbyRoutingTest {

    private static ReplicationCluster cluster;
    private static Node primary;
    private static Node standby1;
    private static Node standby2;

    @BeforeAll
    static void startCluster() {
        cluster = ReplicationCluster.builder().standbys(2).start();
        System.err.printf("[tusk-ha] primary + 2 standbys ready in %d ms%n", cluster.startMillis());
        primary = cluster.primary();
        standby1 = cluster.standby(0);
        standby2 = cluster.standby(1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The two drivers: connect, report the server's port, run one statement. */
    enum Driver {
        BLOCKING {
            @Override
            int port(String conninfo) {
                try (Connection<Row> c = Connection.connect(conninfo)) {
                    return c.info().port();
                }
            }

            @Override
            ConnectionInfo writeAndReport(String conninfo, String sql) {
                try (Connection<Row> c = Connection.connect(conninfo)) {
                    try {
                        c.execute(sql);
                    } catch (TuskException e) {
                        assertThat(c.isBroken()).as("a refused write leaves the connection usable").isFalse();
                        assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
                        c.rollback();
                        assertThat(c.execute("SELECT 7").fetchone().getInt(0)).isEqualTo(7);
                        throw e;
                    }
                    return c.info();
                }
            }
        },
        ASYNC {
            @Override
            int port(String conninfo) {
                AsyncConnection<Row> c = join(AsyncConnection.connect(conninfo));
                try {
                    return c.info().port();
                } finally {
                    join(c.closeAsync());
                }
            }

            @Override
            ConnectionInfo writeAndReport(String conninfo, String sql) {
                AsyncConnection<Row> c = join(AsyncConnection.connect(conninfo));
                try {
                    try {
                        join(c.execute(sql));
                    } catch (TuskException e) {
                        assertThat(c.isBroken()).as("a refused write leaves the connection usable").isFalse();
                        join(c.rollback());
                        assertThat(join(c.execute("SELECT 7")).fetchone().getInt(0)).isEqualTo(7);
                        throw e;
                    }
                    return c.info();
                } finally {
                    join(c.closeAsync());
                }
            }
        };

        abstract int port(String conninfo);

        abstract ConnectionInfo writeAndReport(String conninfo, String sql);

        static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
            try {
                return f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }

    private static String over(String attrs, Node... nodes) {
        return ReplicationCluster.conninfo("postgres", nodes) + " sslmode=disable connect_timeout=5 " + attrs;
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void targetSessionAttrsPickTheRightServer(Driver driver) {
        int p = primary.port();
        int s1 = standby1.port();
        assertThat(driver.port(over("target_session_attrs=read-write", standby1, standby2, primary))).isEqualTo(p);
        assertThat(driver.port(over("target_session_attrs=primary", standby1, standby2, primary))).isEqualTo(p);
        assertThat(driver.port(over("target_session_attrs=read-only", primary, standby1))).isEqualTo(s1);
        assertThat(driver.port(over("target_session_attrs=standby", primary, standby1))).isEqualTo(s1);
        assertThat(driver.port(over("target_session_attrs=prefer-standby", primary, standby1))).isEqualTo(s1);
        assertThat(driver.port(over("target_session_attrs=any", standby1, primary))).isEqualTo(s1);
        assertThat(driver.port(over("", standby1, primary))).as("any by default").isEqualTo(s1);
        assertThat(driver.port(over("target_session_attrs=prefer-standby", primary)))
                .as("no standby in the list: the primary").isEqualTo(p);

        Throwable noPrimary = catchThrowable(() -> driver.port(over("target_session_attrs=read-write", standby1, standby2)));
        assertThat(noPrimary).isInstanceOf(OperationalException.class);
        assertThat(noPrimary.getMessage()).contains("2 attempts").contains("port " + s1).contains("port " + standby2.port())
                .contains("read-only");
        Throwable noStandby = catchThrowable(() -> driver.port(over("target_session_attrs=standby", primary)));
        assertThat(noStandby).isInstanceOf(OperationalException.class);
        assertThat(noStandby.getMessage()).contains("not in hot standby mode").contains("port " + p);
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void loadBalancingSpreadsOverTheServersThatMatch(Driver driver) {
        Set<Integer> standbys = new HashSet<>();
        for (int i = 0; i < 60 && standbys.size() < 2; i++) {
            standbys.add(driver.port(over("target_session_attrs=standby load_balance_hosts=random", primary, standby1, standby2)));
        }
        assertThat(standbys).containsExactlyInAnyOrder(standby1.port(), standby2.port());

        Set<Integer> preferred = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            preferred.add(driver.port(over("target_session_attrs=prefer-standby load_balance_hosts=random", primary, standby1, standby2)));
        }
        assertThat(preferred).as("prefer-standby never picks the primary while a standby answers")
                .doesNotContain(primary.port());

        Set<Integer> any = new HashSet<>();
        for (int i = 0; i < 90 && any.size() < 3; i++) {
            any.add(driver.port(over("load_balance_hosts=random", primary, standby1, standby2)));
        }
        assertThat(any).containsExactlyInAnyOrder(primary.port(), standby1.port(), standby2.port());

        for (int i = 0; i < 5; i++) {
            assertThat(driver.port(over("target_session_attrs=standby load_balance_hosts=disable", primary, standby2, standby1)))
                    .as("disable: in order").isEqualTo(standby2.port());
        }
        assertThat(driver.port(over("target_session_attrs=read-write load_balance_hosts=random", standby2, primary, standby1)))
                .isEqualTo(primary.port());
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void preferStandbySkipsAStandbyThatCannotBeReachedAndFallsBackToThePrimary(Driver driver) {
        standby1.kill();
        try {
            assertThat(driver.port(over("target_session_attrs=prefer-standby", primary, standby1, standby2)))
                    .as("the dead standby is skipped, the live one taken").isEqualTo(standby2.port());
            standby2.kill();
            try {
                assertThat(driver.port(over("target_session_attrs=prefer-standby", standby1, standby2, primary)))
                        .as("no standby answers: the primary").isEqualTo(primary.port());
                Throwable t = catchThrowable(() -> driver.port(over("target_session_attrs=standby", standby1, primary)));
                assertThat(t).isInstanceOf(OperationalException.class);
                assertThat(t.getMessage()).contains("port " + standby1.port()).contains("port " + primary.port());
            } finally {
                standby2.start();
            }
        } finally {
            standby1.start();
        }
        assertThat(standby1.isInRecovery()).isTrue();
        assertThat(driver.port(over("target_session_attrs=standby", primary, standby1))).isEqualTo(standby1.port());
    }

    @ParameterizedTest
    @EnumSource(Driver.class)
    void aWriteOnAStandbyIsReadOnlySqlTransaction(Driver driver) {
        Throwable t = catchThrowable(() -> driver.writeAndReport(standby1.conninfo("postgres") + " sslmode=disable",
                "CREATE TABLE written_on_a_standby (id int)"));
        assertThat(t).isInstanceOf(ReadOnlySqlTransaction.class);
        assertThat(((TuskException) t).sqlstate()).isEqualTo("25006");
        assertThat(t.getMessage()).contains("cannot execute CREATE TABLE in a read-only transaction");

        Throwable dml = catchThrowable(() -> driver.writeAndReport(standby2.conninfo("postgres") + " sslmode=disable",
                "SELECT nextval('no_such_sequence_on_purpose')"));
        assertThat(dml).as("an ordinary error stays what it is").isNotInstanceOf(ReadOnlySqlTransaction.class);

        ConnectionInfo info = driver.writeAndReport(over("target_session_attrs=read-write", standby1, primary),
                "CREATE TEMP TABLE written_on_the_primary (id int)");
        assertThat(info.port()).isEqualTo(primary.port());
    }
}
