package dev.tusk.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code perf stat --per-thread} attached to this JVM and to given server backends for one measured run: the system
 * calls by kind, the context switches and the wake-ups each thread group made, printed per query. Linux with perf and
 * the rights to read tracepoints only; {@link #start} returns null unless {@code -Dr2dbc.profile.perf=true}.
 */
final class PerfCounts {
    /** The events counted: all system calls, the ones an event loop or a backend makes per query, switches, wake-ups. */
    private static final String[] EVENTS = {
        "raw_syscalls:sys_enter", "syscalls:sys_enter_read", "syscalls:sys_enter_write", "syscalls:sys_enter_recvfrom",
        "syscalls:sys_enter_sendto", "syscalls:sys_enter_epoll_wait", "syscalls:sys_enter_epoll_ctl",
        "syscalls:sys_enter_futex", "syscalls:sys_enter_poll", "syscalls:sys_enter_ppoll", "context-switches", "cpu-migrations",
        "sched:sched_wakeup",
    };

    private final Process perf;

    private PerfCounts(Process perf) {
        this.perf = perf;
    }

    /** Attaches perf to this JVM and {@code backends}; null when not asked for. */
    static PerfCounts start(List<Long> backends) throws IOException {
        if (!Boolean.getBoolean("r2dbc.profile.perf")) {
            return null;
        }
        StringBuilder pids = new StringBuilder(Long.toString(ProcessHandle.current().pid()));
        for (long b : backends) {
            pids.append(',').append(b);
        }
        List<String> cmd = new ArrayList<>(List.of("perf", "stat", "--per-thread", "-x,", "-e", String.join(",", EVENTS),
                "-p", pids.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            Thread.sleep(400); // perf attaches to every thread before the run starts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new PerfCounts(p);
    }

    /**
     * Stops perf (SIGINT: it prints its counts) and formats them per query, one line per thread group
     * ({@code group} maps "tid comm" to a group; a thread named postgres is the server).
     */
    String stop(int queries, Function<String, String> group) throws IOException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start();
        String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            perf.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Map<String, Long>> byGroup = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 4 || f[1].isEmpty() || !Character.isDigit(f[1].charAt(0))) {
                continue;
            }
            int dash = f[0].lastIndexOf('-');
            String comm = f[0].substring(0, dash);
            String g = comm.startsWith("postgres") ? "server" : group.apply(f[0].substring(dash + 1) + " " + comm);
            String event = f[3].replace("syscalls:sys_enter_", "").replace("raw_syscalls:sys_enter", "syscalls")
                    .replace("context-switches", "cs").replace("cpu-migrations", "migr").replace("sched:sched_wakeup", "wakes");
            byGroup.computeIfAbsent(g, k -> new TreeMap<>()).merge(event, Long.parseLong(f[1]), Long::sum);
        }
        StringBuilder sb = new StringBuilder();
        for (var e : byGroup.entrySet()) {
            StringBuilder row = new StringBuilder();
            for (var c : e.getValue().entrySet()) {
                double per = c.getValue() / (double) queries;
                if (per >= 0.005) {
                    row.append(String.format(Locale.ROOT, " %s %.2f", c.getKey(), per));
                }
            }
            if (row.length() > 0) {
                sb.append("    perf ").append(e.getKey()).append(':').append(row).append('\n');
            }
        }
        return sb.toString();
    }
}
