package dev.tusk;

import java.util.List;
import java.util.stream.Stream;

/**
 * Run by {@link BoundedMemoryTest} in a JVM limited to 64 MB of heap: reads a million 200-byte rows
 * (about 200 MB) through each streaming path and prints what it counted. An {@code OutOfMemoryError}
 * ends the process with a non-zero status.
 */
public final class BoundedMemoryMain {
    static final int ROWS = 1_000_000;
    private static final String WIDE = "SELECT g, repeat('x', 200) FROM generate_series(1, " + ROWS + ") g";

    private BoundedMemoryMain() {
    }

    public static void main(String[] args) {
        try (Connection<Row> conn = Connection.connect(args[0])) {
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
}
