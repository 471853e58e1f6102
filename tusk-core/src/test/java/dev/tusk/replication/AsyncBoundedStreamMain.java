package dev.tusk.replication;

import dev.tusk.types.Lsn;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link BoundedStreamTest} in a JVM with {@code -Xmx64m}: streams the transaction waiting in slot
 * {@code args[1]} ({@code streaming on}) through {@link AsyncReplicationStream}, to a consumer thread that requests
 * 64 messages at a time and pauses after each batch (slower than the server), decoding every row, and prints
 * {@code rows <count> <sum of ids> <bytes> max-buffered <n>}.
 */
public final class AsyncBoundedStreamMain {
    private AsyncBoundedStreamMain() {
    }

    public static void main(String[] args) throws Exception {
        long rows = 0;
        long sum = 0;
        long bytes = 0;
        BlockingQueue<Object> handed = new ArrayBlockingQueue<>(1024);
        Flow.Subscription[] sub = new Flow.Subscription[1];
        AsyncReplicationConnection rc = AsyncReplicationConnection.connect(args[0]).get(30, TimeUnit.SECONDS);
        try {
            AsyncReplicationStream<PgOutputMessage> s = rc.startPgOutput(args[1], Lsn.INVALID,
                    PgOutputOptions.publications(args[2]).streaming()).get(30, TimeUnit.SECONDS);
            s.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    sub[0] = subscription;
                    subscription.request(64);
                }

                @Override
                public void onNext(PgOutputMessage item) {
                    handed.add(item);
                }

                @Override
                public void onError(Throwable t) {
                    handed.add(t);
                }

                @Override
                public void onComplete() {
                    handed.add("complete");
                }
            });
            int inBatch = 0;
            while (true) {
                Object o = handed.poll(60, TimeUnit.SECONDS);
                if (o == null || o instanceof Throwable || o instanceof String) {
                    throw new IllegalStateException("the stream ended early: " + o);
                }
                PgOutputMessage m = (PgOutputMessage) o;
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
                if (++inBatch == 64) {
                    inBatch = 0;
                    Thread.sleep(1); // the consumer's work: slower than the server
                    sub[0].request(64);
                }
            }
            s.closeAsync().get(30, TimeUnit.SECONDS);
            System.out.println("rows " + rows + " " + sum + " " + bytes + " max-buffered " + s.maxBufferedMessages());
        } finally {
            rc.close();
        }
    }
}
