package dev.tusk;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Run by {@link BoundedMemoryTest} in a JVM limited to 64 MB of heap: reads a million 200-byte rows
 * (about 200 MB) through each streaming path and prints what it counted. An {@code OutOfMemoryError}
 * ends the process with a non-zero status. Arguments: the conninfo, then the {@link Flavour} name.
 */
public final class BoundedMemoryMain {
    static final int ROWS = 1_000_000;
    private static final String WIDE = "SELECT g, repeat('x', 200) FROM generate_series(1, " + ROWS + ") g";

    private BoundedMemoryMain() {
    }

    public static void main(String[] args) {
        if (Flavour.valueOf(args[1]) == Flavour.ASYNC) {
            async(args[0]);
        } else {
            blocking(args[0]);
        }
    }

    private static void blocking(String conninfo) {
        try (Connection<Row> conn = Connection.connect(conninfo)) {
            conn.setAutocommit(true);
            long[] acc = new long[2];
            try (Stream<Row> rows = conn.cursor().stream(WIDE)) {
                rows.forEach(r -> {
                    acc[0] += r.getLong(0);
                    acc[1] += r.getString(1).length();
                });
            }
            System.out.println("stream " + acc[0] + " " + acc[1]);

            conn.setAutocommit(false);
            long sum = 0;
            ServerCursor<Row> cur = conn.cursor("wide");
            cur.setItersize(2_000);
            cur.execute(WIDE);
            for (Row r : cur) {
                sum += r.getLong(0);
            }
            cur.close();
            conn.commit();
            System.out.println("servercursor " + sum);

            long lines = 0;
            try (Copy copy = conn.cursor().copy("COPY (" + WIDE + ") TO STDOUT")) {
                for (List<String> row : copy.rows()) {
                    lines += row.get(1).length() == 200 ? 1 : 0;
                }
            }
            long bytes = 0;
            try (Copy copy = conn.cursor().copy("COPY (" + WIDE + ") TO STDOUT (FORMAT binary)")) {
                for (byte[] chunk = copy.read(); chunk != null; chunk = copy.read()) {
                    bytes += chunk.length;
                }
            }
            conn.commit();
            System.out.println("copy " + lines + " " + bytes);
        }
    }

    /** The same paths on AsyncConnection: stream()'s publisher, AsyncServerCursor.forEach, AsyncCopy. */
    private static void async(String conninfo) {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(conninfo).autocommit(true).build()).join()) {
            long[] acc = new long[2];
            drain(conn.stream(WIDE), r -> {
                acc[0] += r.getLong(0);
                acc[1] += r.getString(1).length();
            }).join();
            System.out.println("stream " + acc[0] + " " + acc[1]);

            conn.setAutocommit(false).join();
            long[] sum = new long[1];
            AsyncServerCursor<Row> cur = conn.cursor("wide");
            cur.setItersize(2_000);
            cur.execute(WIDE).join();
            cur.forEach(r -> sum[0] += r.getLong(0)).join();
            cur.closeAsync().join();
            conn.commit().join();
            System.out.println("servercursor " + sum[0]);

            long[] lines = new long[1];
            try (AsyncCopy copy = conn.cursor().copy("COPY (" + WIDE + ") TO STDOUT").join()) {
                drain(copy.rows(), row -> lines[0] += row.get(1).length() == 200 ? 1 : 0).join();
            }
            long bytes = 0;
            try (AsyncCopy copy = conn.cursor().copy("COPY (" + WIDE + ") TO STDOUT (FORMAT binary)").join()) {
                for (byte[] chunk = copy.read().join(); chunk != null; chunk = copy.read().join()) {
                    bytes += chunk.length;
                }
            }
            conn.commit().join();
            System.out.println("copy " + lines[0] + " " + bytes);
        }
    }

    /** Consumes {@code publisher} 500 items at a time; the future completes when it ends. */
    private static <T> CompletableFuture<Void> drain(Flow.Publisher<T> publisher, Consumer<T> each) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<T>() {
            private Flow.Subscription subscription;
            private int left;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                left = 500;
                s.request(500);
            }

            @Override
            public void onNext(T item) {
                each.accept(item);
                if (--left == 0) {
                    left = 500;
                    subscription.request(500);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        return done;
    }
}
