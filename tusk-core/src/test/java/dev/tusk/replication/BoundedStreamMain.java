package dev.tusk.replication;

import dev.tusk.types.Lsn;
import java.time.Duration;

/**
 * Run by {@link BoundedStreamTest} in a JVM with {@code -Xmx64m}: streams the transaction waiting in slot
 * {@code args[1]} ({@code streaming on}), decoding every row, and prints {@code rows <count> <sum of ids> <bytes>}.
 */
public final class BoundedStreamMain {
    private BoundedStreamMain() {
    }

    public static void main(String[] args) {
        long rows = 0;
        long sum = 0;
        long bytes = 0;
        try (ReplicationConnection rc = ReplicationConnection.connect(args[0]);
             PgOutputStream s = rc.startPgOutput(args[1], Lsn.INVALID, PgOutputOptions.publications(args[2]).streaming())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                PgOutputMessage m = s.read(Duration.ofSeconds(1));
                if (m instanceof PgOutputMessage.Insert i) {
                    rows++;
                    sum += (Integer) i.newTuple().get(0);
                    bytes += ((String) i.newTuple().get(1)).length();
                } else if (m instanceof PgOutputMessage.StreamCommit c) {
                    s.acknowledge(c.endLsn());
                    break;
                } else if (m instanceof PgOutputMessage.Commit c) {
                    s.acknowledge(c.endLsn());
                    break;
                }
            }
        }
        System.out.println("rows " + rows + " " + sum + " " + bytes);
    }
}
