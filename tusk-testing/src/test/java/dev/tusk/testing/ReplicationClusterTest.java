package dev.tusk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness's primary with hot standbys: streaming, synchronous commit, kill, promote, follow, clean-up. */
@Timeout(180)
class ReplicationClusterTest {

    @Test
    void twoStandbysStreamAKilledPrimaryIsReplacedByAPromotedStandbyAndTheOtherFollowsIt() {
        List<Path> dirs = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ReplicationCluster cluster = ReplicationCluster.builder().standbys(2).synchronous(true).start()) {
            System.err.printf("[tusk-testing] primary + 2 synchronous standbys ready in %d ms%n", cluster.startMillis());
            for (ReplicationCluster.Node node : cluster.nodes()) {
                dirs.add(node.dataDirectory().getParent());
            }
            ReplicationCluster.Node primary = cluster.primary();
            ReplicationCluster.Node s1 = cluster.standby(0);
            ReplicationCluster.Node s2 = cluster.standby(1);
            assertThat(primary.isInRecovery()).isFalse();
            assertThat(s1.isInRecovery()).isTrue();
            assertThat(s2.isInRecovery()).isTrue();
            assertThat(primary.query("SELECT string_agg(application_name || ':' || sync_state, ',' ORDER BY application_name)"
                    + " FROM pg_stat_replication")).isEqualTo("standby1:quorum,standby2:quorum");

            primary.admin("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
            // remote_apply: once the primary acknowledges the commit, one standby shows it; wait for both
            primary.awaitReplay(Duration.ofSeconds(30));
            assertThat(s1.query("SELECT count(*) FROM t")).isEqualTo("1");
            assertThat(s2.query("SELECT count(*) FROM t")).isEqualTo("1");

            long pid = primary.postmasterPid().orElseThrow();
            primary.kill();
            // gone, or a zombie no one reaps (a container without an init that reaps): its sockets are closed
            assertThat(ReplicationCluster.Node.isGone(pid)).isTrue();
            assertThat(primary.isRunning()).isFalse();

            s1.promote();
            assertThat(s1.isInRecovery()).isFalse();
            s1.admin("INSERT INTO t VALUES (2)");
            s2.follow(s1);
            s1.awaitReplay(Duration.ofSeconds(30));
            assertThat(s2.query("SELECT count(*) FROM t")).isEqualTo("2");

            // the killed primary starts again (crash recovery) as a primary of its own timeline
            primary.start();
            assertThat(primary.query("SELECT count(*) FROM t")).isEqualTo("1");
            primary.stop(PostgresServer.StopMode.FAST);
            assertThat(primary.isRunning()).isFalse();
        }
        System.err.printf("[tusk-testing] whole cluster scenario in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(dirs).hasSize(3).allSatisfy(d -> assertThat(d).doesNotExist());
    }

    @Test
    void aClusterWithoutStandbysIsAPrimaryAlone() {
        try (ReplicationCluster cluster = ReplicationCluster.builder().standbys(0).start()) {
            assertThat(cluster.nodes()).hasSize(1);
            assertThat(cluster.primary().isInRecovery()).isFalse();
            assertThat(ReplicationCluster.conninfo("postgres", cluster.primary()))
                    .isEqualTo("host=127.0.0.1 port=" + cluster.primary().port() + " user=postgres dbname=postgres");
        }
    }
}
