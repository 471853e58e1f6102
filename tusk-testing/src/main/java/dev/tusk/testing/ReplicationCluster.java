package dev.tusk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A primary and one or two hot standbys streaming from it, each an embedded PostgreSQL of its own (the binaries
 * on the classpath), for tests of multi-host connections, read-only standbys and failover.
 *
 * <p>The binaries have no {@code pg_basebackup}, so a standby is made with the low-level backup API: a physical
 * replication slot on the primary, {@code pg_backup_start} ({@code pg_start_backup} before 15), a copy of the
 * data directory without its WAL, {@code pg_backup_stop} whose label becomes the copy's {@code backup_label},
 * then {@code standby.signal} and {@code primary_conninfo}. The standby fetches the WAL it needs by streaming.
 *
 * <pre>{@code
 * try (ReplicationCluster cluster = ReplicationCluster.builder().standbys(1).synchronous(true).start()) {
 *     ReplicationCluster.Node primary = cluster.primary(), standby = cluster.standby(0);
 *     String conninfo = "host=" + primary.host() + "," + standby.host() + " port=" + primary.port() + ","
 *             + standby.port() + " user=postgres dbname=postgres target_session_attrs=read-write";
 *     primary.kill();        // SIGKILL: no shutdown, no goodbye to clients
 *     standby.promote();     // waits until it accepts writes
 * }
 * }</pre>
 *
 * <p>Every node lives in its own {@code ${java.io.tmpdir}/tusk-pg/run-<pid>-*} directory; {@link #close()} (and,
 * should the test JVM exit without it, a shutdown hook; should it be killed, the next run's stale-run sweep) stops
 * every server and deletes the directories.
 */
public final class ReplicationCluster implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final String SUPERUSER = "postgres";
    private static final AtomicInteger INSTANCE_COUNTER = new AtomicInteger();
    private static final Set<ReplicationCluster> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ReplicationCluster cluster : OPEN) {
                cluster.close();
            }
        }, "tusk-testing-replication-cleanup"));
    }

    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final boolean synchronous;
    private final Map<String, String> settings;
    private final long startMillis;

    private ReplicationCluster(Builder builder) {
        this.synchronous = builder.synchronous;
        this.settings = builder.settings;
        OPEN.add(this);
        long t0 = System.nanoTime();
        try {
            StaleRuns.cleanUp();
            Node primary = new Node("primary");
            nodes.add(primary);
            primary.initdb(primarySettings(builder.standbys));
            primary.startOnFreePort();
            for (int i = 0; i < builder.standbys; i++) {
                addStandby(primary, "standby" + (i + 1));
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        startMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    /** A builder: one standby, asynchronous replication. */
    public static Builder builder() {
        return new Builder();
    }

    /** How long {@link Builder#start()} took, in milliseconds (initdb, backups, every node streaming). */
    public long startMillis() {
        return startMillis;
    }

    /** Every node, the primary first then the standbys in creation order (a promoted standby keeps its place). */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The node started as the primary (it may have been killed since). */
    public Node primary() {
        return nodes.get(0);
    }

    /** The {@code index}-th standby (0-based) as created, whether or not it has been promoted since. */
    public Node standby(int index) {
        return nodes.get(index + 1);
    }

    /** {@code host=h1,h2 port=p1,p2} for {@code nodes} in that order (libpq's multi-host syntax). */
    public static String hostsAndPorts(Node... nodes) {
        StringBuilder hosts = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        for (Node node : nodes) {
            if (hosts.length() > 0) {
                hosts.append(',');
                ports.append(',');
            }
            hosts.append(node.host());
            ports.append(node.port());
        }
        return "host=" + hosts + " port=" + ports;
    }

    /** A superuser connection string to {@code dbname} over every node in {@code nodes}' order. */
    public static String conninfo(String dbname, Node... nodes) {
        return hostsAndPorts(nodes) + " user=" + SUPERUSER + " dbname=" + dbname;
    }

    /** Stops every server immediately (killing what does not stop) and deletes every directory. */
    @Override
    public void close() {
        OPEN.remove(this);
        for (Node node : nodes) {
            node.destroy();
        }
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("replication cluster [");
        for (Node node : nodes) {
            out.append(' ').append(node);
        }
        return out.append(" ]").toString();
    }

    private Map<String, String> primarySettings(int standbys) {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addresses", "'" + HOST + "'");
        conf.put("fsync", "off"); // a crash of the process (SIGKILL) loses nothing: the OS keeps the pages
        conf.put("full_page_writes", "off");
        conf.put("wal_level", "replica");
        conf.put("max_wal_senders", "10");
        conf.put("max_replication_slots", "10");
        conf.put("hot_standby", "on");
        conf.put("hot_standby_feedback", "on");
        conf.put("wal_receiver_status_interval", "1");
        conf.put("wal_retrieve_retry_interval", "'200ms'");
        conf.put("max_connections", "100");
        conf.put("max_prepared_transactions", "10");
        conf.put("timezone", "'UTC'");
        conf.put("log_line_prefix", "'%m [%p] %q%u@%d '");
        if (synchronous && standbys > 0) {
            StringBuilder names = new StringBuilder();
            for (int i = 1; i <= standbys; i++) {
                names.append(i > 1 ? "," : "").append("standby").append(i);
            }
            conf.put("synchronous_standby_names", "'ANY 1 (" + names + ")'");
            conf.put("synchronous_commit", "remote_apply");
        } else {
            conf.put("synchronous_commit", "on");
        }
        conf.putAll(settings);
        return conf;
    }

    private void addStandby(Node primary, String name) {
        Node standby = new Node(name);
        nodes.add(standby);
        standby.port = freePort();
        primary.baseBackupInto(standby, name);
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("port", Integer.toString(standby.port));
        conf.put("unix_socket_directories", "'" + standby.socketDirectory + "'");
        conf.put("primary_conninfo", "'" + primary.replicationConninfo(name) + "'");
        conf.put("primary_slot_name", "'" + name + "'");
        // once promoted, it must not wait for standbys that do not stream from it
        conf.put("synchronous_standby_names", "''");
        standby.appendConf(conf);
        try {
            Files.createFile(standby.dataDirectory.resolve("standby.signal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        standby.start();
        primary.awaitStreaming(name, Duration.ofSeconds(60));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free TCP port on " + HOST, e);
        }
    }

    /** Configures a {@link ReplicationCluster} before it starts. */
    public static final class Builder {
        private int standbys = 1;
        private boolean synchronous;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /** How many hot standbys stream from the primary: 0, 1 (the default) or 2. */
        public Builder standbys(int n) {
            if (n < 0 || n > 2) {
                throw new IllegalArgumentException("a cluster has 0, 1 or 2 standbys, not " + n);
            }
            standbys = n;
            return this;
        }

        /**
         * Synchronous replication: {@code synchronous_standby_names = 'ANY 1 (standby1[, standby2])'} and
         * {@code synchronous_commit = remote_apply} on the primary, so a commit the primary acknowledges is visible
         * on at least one standby. Off by default ({@code synchronous_commit = on}, asynchronous standbys).
         */
        public Builder synchronous(boolean on) {
            synchronous = on;
            return this;
        }

        /** Sets a {@code postgresql.conf} parameter on the primary (and so in every standby's copy); quote strings. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** initdb, starts the primary, makes and starts every standby, and waits until each streams. */
        public ReplicationCluster start() {
            return new ReplicationCluster(this);
        }
    }

    /** One server of the cluster. */
    public static final class Node {
        private final String name;
        private final Path baseDirectory;
        private final Path dataDirectory;
        private final Path socketDirectory;
        private final Path logFile;
        private final ReentrantLock lock = new ReentrantLock();
        private volatile int port;
        private volatile boolean running;
        private volatile boolean destroyed;
        private volatile boolean killed;

        private Node(String name) {
            this.name = name;
            try {
                Path root = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "tusk-pg"));
                this.baseDirectory = Files.createTempDirectory(root, "run-" + ProcessHandle.current().pid() + "-"
                        + INSTANCE_COUNTER.incrementAndGet() + "-" + name + "-");
                this.dataDirectory = baseDirectory.resolve("data");
                this.socketDirectory = Files.createDirectories(baseDirectory.resolve("sock"));
                this.logFile = baseDirectory.resolve("postgres.log");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a directory for an embedded PostgreSQL server", e);
            }
        }

        /** {@code primary}, {@code standby1}, {@code standby2}: also its {@code application_name} on the primary. */
        public String name() {
            return name;
        }

        public String host() {
            return HOST;
        }

        public int port() {
            return port;
        }

        /** {@code 127.0.0.1:port}. */
        public String hostPort() {
            return HOST + ":" + port;
        }

        /** A superuser connection string to {@code dbname} on this node alone. */
        public String conninfo(String dbname) {
            return "host=" + HOST + " port=" + port + " user=" + SUPERUSER + " dbname=" + dbname;
        }

        public Path dataDirectory() {
            return dataDirectory;
        }

        public Path logFile() {
            return logFile;
        }

        /** True while the server runs, as far as the harness knows (it tracks its own stop, start and kill). */
        public boolean isRunning() {
            return running;
        }

        /** The postmaster's process id, from {@code postmaster.pid}; empty when it is not running. */
        public Optional<Long> postmasterPid() {
            Path pidFile = dataDirectory.resolve("postmaster.pid");
            try {
                if (!Files.exists(pidFile)) {
                    return Optional.empty();
                }
                String first = Files.readAllLines(pidFile).get(0).strip();
                return Optional.of(Long.parseLong(first));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** {@code server_version_num}. */
        public int version() {
            return Integer.parseInt(query("SHOW server_version_num"));
        }

        /** True while the server is a standby ({@code pg_is_in_recovery()}). */
        public boolean isInRecovery() {
            String value = query("SELECT pg_is_in_recovery()");
            return "t".equals(value) || "true".equals(value);
        }

        /** Runs {@code sql} as the superuser in the {@code postgres} database (through pgjdbc, on a fresh connection). */
        public void admin(String sql) {
            Connection c = connect("postgres");
            try {
                Jdbc.execute(c, sql);
            } finally {
                Jdbc.closeQuietly(c);
            }
        }

        /** The first column of the first row of {@code sql} as text (null without a row), in {@code postgres}. */
        public String query(String sql) {
            return query("postgres", sql);
        }

        /** The first column of the first row of {@code sql} as text (null without a row), in {@code dbname}. */
        public String query(String dbname, String sql) {
            Connection c = connect(dbname);
            try {
                return Jdbc.queryValue(c, sql);
            } finally {
                Jdbc.closeQuietly(c);
            }
        }

        /** Starts the server (after {@link #stop} or {@link #kill}) and waits until it accepts connections. */
        public void start() {
            lock.lock();
            try {
                if (destroyed) {
                    throw new IllegalStateException(name + " has been closed with its cluster");
                }
                if (running) {
                    return;
                }
                pgCtl("start", "-l", logFile.toString());
                running = true;
                killed = false;
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + "\nserver log " + logFile + ":\n" + logTail(), e);
            } finally {
                lock.unlock();
            }
        }

        /** Stops the server in {@code mode} ({@code pg_ctl stop -m}) and waits until it is down. */
        public void stop(PostgresServer.StopMode mode) {
            lock.lock();
            try {
                if (!running) {
                    return;
                }
                pgCtl("stop", "-m", mode.name().toLowerCase(Locale.ROOT));
                running = false;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Kills the server as a crash would: SIGKILL to the postmaster and every one of its processes at once, so
         * no client hears a word (its socket is closed by the kernel) and nothing is checkpointed. Returns when
         * every process is gone. {@link #start()} runs crash recovery.
         */
        public void kill() {
            lock.lock();
            try {
                Optional<ProcessHandle> postmaster = postmasterPid().flatMap(ProcessHandle::of);
                if (postmaster.isPresent()) {
                    List<ProcessHandle> all = new ArrayList<>();
                    all.add(postmaster.get());
                    postmaster.get().descendants().forEach(all::add);
                    for (ProcessHandle p : all) {
                        p.destroyForcibly();
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    for (ProcessHandle p : all) {
                        while (!isGone(p.pid()) && System.nanoTime() < deadline) {
                            sleep(5);
                        }
                    }
                    boolean allGone = all.stream().allMatch(p -> isGone(p.pid()));
                    removeSharedMemory();
                    if (allGone) {
                        // before 15, pg_ctl start -w could read the stale pid file, find that process dead and
                        // report "could not start server" although the new postmaster was starting
                        // and PostgreSQL 13 refused to start while the socket's lock file named the killed pid
                        try (var locks = Files.newDirectoryStream(socketDirectory, ".s.PGSQL.*")) {
                            Files.deleteIfExists(dataDirectory.resolve("postmaster.pid"));
                            for (Path lock : locks) {
                                Files.deleteIfExists(lock);
                            }
                        } catch (IOException e) {
                            // the postmaster replaces stale files itself when it can
                        }
                    }
                }
                running = false;
                killed = true;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Promotes this standby ({@code pg_ctl promote}, which waits) and returns once it accepts writes.
         */
        public void promote() {
            lock.lock();
            try {
                pgCtl("promote");
            } finally {
                lock.unlock();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (isInRecovery()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " is still in recovery 30 s after pg_ctl promote; log " + logFile);
                }
                sleep(20);
            }
        }

        /**
         * Makes this standby stream from {@code newPrimary} (after a promotion): a replication slot there,
         * {@code primary_conninfo} and {@code primary_slot_name} by {@code ALTER SYSTEM}, a reload, and a wait until
         * it streams. It works when this standby has not replayed past the point where {@code newPrimary} was
         * promoted (with one synchronous standby promoted, the others may have; then it needs a new base backup).
         */
        public void follow(Node newPrimary) {
            newPrimary.admin("SELECT pg_create_physical_replication_slot('" + name + "', true)");
            admin("ALTER SYSTEM SET primary_conninfo = '" + newPrimary.replicationConninfo(name).replace("'", "''") + "'");
            admin("ALTER SYSTEM SET primary_slot_name = '" + name + "'");
            admin("SELECT pg_reload_conf()");
            newPrimary.awaitStreaming(name, Duration.ofSeconds(60));
        }

        /** Waits until every standby streaming from this node has applied everything this node has written. */
        public void awaitReplay(Duration timeout) {
            String lsn = query("SELECT pg_current_wal_lsn()");
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String behind = query("SELECT count(*) FROM pg_stat_replication WHERE replay_lsn IS NULL OR replay_lsn < '"
                        + lsn + "'::pg_lsn");
                if ("0".equals(behind)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the standbys of " + name + " did not replay up to " + lsn + " within "
                            + timeout.toMillis() + " ms");
                }
                sleep(20);
            }
        }

        @Override
        public String toString() {
            return name + "@" + hostPort() + (running ? "" : killed ? " (killed)" : " (stopped)");
        }

        String replicationConninfo(String applicationName) {
            return "host=" + HOST + " port=" + port + " user=" + SUPERUSER + " application_name=" + applicationName
                    + " connect_timeout=2";
        }

        private Connection connect(String dbname) {
            return Jdbc.connect(HOST, port, dbname, SUPERUSER, null, Map.of("connect_timeout", "5"));
        }

        private void initdb(Map<String, String> conf) {
            List<String> args = new ArrayList<>(List.of("-D", dataDirectory.toString(), "-U", SUPERUSER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            Tools.runPostgres("initdb", args, baseDirectory);
            Map<String, String> all = new LinkedHashMap<>(conf);
            all.put("unix_socket_directories", "'" + socketDirectory + "'");
            appendConf(all);
            String hba = "# TYPE  DATABASE  USER  ADDRESS  METHOD\n"
                    + "local  all          all                 trust\n"
                    + "host   all          all  127.0.0.1/32   trust\n"
                    + "local  replication  all                 trust\n"
                    + "host   replication  all  127.0.0.1/32   trust\n";
            try {
                Files.writeString(dataDirectory.resolve("pg_hba.conf"), hba);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void startOnFreePort() {
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                port = freePort();
                appendConf(Map.of("port", Integer.toString(port)));
                try {
                    start();
                    return;
                } catch (IllegalStateException e) {
                    last = e;
                    if (!e.getMessage().contains("could not bind") && !e.getMessage().contains("already in use")) {
                        throw e;
                    }
                }
            }
            throw last;
        }

        private void appendConf(Map<String, String> conf) {
            StringBuilder text = new StringBuilder("\n# tusk-testing replication cluster\n");
            conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            try {
                Files.writeString(dataDirectory.resolve("postgresql.conf"), text.toString(), StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("could not append to postgresql.conf of " + name, e);
            }
        }

        /** A base backup of this (running) node into {@code target}'s data directory, with a slot named {@code slot}. */
        private void baseBackupInto(Node target, String slot) {
            Connection c = connect("postgres");
            try {
                Jdbc.execute(c, "SELECT pg_create_physical_replication_slot('" + slot + "', true)");
                boolean modern = Integer.parseInt(Jdbc.queryValue(c, "SHOW server_version_num")) >= 150000;
                Jdbc.execute(c, modern ? "SELECT pg_backup_start('tusk-testing', true)"
                        : "SELECT pg_start_backup('tusk-testing', true, false)");
                copyDataDirectory(dataDirectory, target.dataDirectory);
                String label;
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(modern ? "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)"
                             : "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)")) {
                    rs.next();
                    label = rs.getString(1);
                    String map = rs.getString(2);
                    if (map != null && !map.isEmpty()) {
                        Files.writeString(target.dataDirectory.resolve("tablespace_map"), map);
                    }
                }
                Files.writeString(target.dataDirectory.resolve("backup_label"), label);
            } catch (SQLException e) {
                throw new IllegalStateException("the base backup of " + name + " failed: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the base backup of " + name, e);
            } finally {
                Jdbc.closeQuietly(c);
            }
        }

        /**
         * Copies a running server's data directory, leaving out what a base backup omits: the WAL (streamed
         * instead), replication slots, the postmaster's pid and options files, and temporary statistics.
         */
        private static void copyDataDirectory(Path from, Path to) throws IOException {
            Set<String> emptied = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem", "pg_notify",
                    "pg_serial", "pg_snapshots", "pg_subtrans");
            Set<String> skipped = Set.of("postmaster.pid", "postmaster.opts");
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path relative = from.relativize(dir);
                    if (relative.getNameCount() >= 2 && emptied.contains(relative.getName(0).toString())
                            && !relative.getName(0).toString().equals("pg_wal")) {
                        return FileVisitResult.SKIP_SUBTREE; // e.g. a slot's directory: the standby has none
                    }
                    Path target = to.resolve(relative.toString());
                    Files.createDirectories(target);
                    try {
                        Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(dir));
                    } catch (NoSuchFileException e) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path relative = from.relativize(file);
                    if (relative.getNameCount() == 1 && skipped.contains(relative.toString())) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (relative.getNameCount() >= 2 && emptied.contains(relative.getName(0).toString())) {
                        return FileVisitResult.CONTINUE; // keep the directory (and pg_wal/archive_status), not the files
                    }
                    try {
                        Files.copy(file, to.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    } catch (NoSuchFileException e) {
                        // removed while we copied (a dropped relation, a finished temp file): WAL replay recreates it
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        }

        private void awaitStreaming(String applicationName, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String state = query("SELECT state FROM pg_stat_replication WHERE application_name = '" + applicationName + "'");
                if ("streaming".equals(state)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(applicationName + " does not stream from " + name + " after "
                            + timeout.toMillis() + " ms (state " + state + ")");
                }
                sleep(20);
            }
        }

        private void destroy() {
            lock.lock();
            try {
                if (destroyed) {
                    return;
                }
                destroyed = true;
                if (running || Files.exists(dataDirectory.resolve("postmaster.pid"))) {
                    try {
                        pgCtl("stop", "-m", "immediate");
                    } catch (RuntimeException e) {
                        // not running, or it would not stop: kill below
                    }
                    if (postmasterPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false)) {
                        kill();
                    }
                    running = false;
                }
                if (!Boolean.getBoolean("tusk.testing.keepData")) {
                    Tools.deleteRecursively(baseDirectory);
                }
            } catch (RuntimeException e) {
                System.err.println("[tusk-testing] could not clean up " + name + " in " + baseDirectory + ": " + e.getMessage());
            } finally {
                lock.unlock();
            }
        }

        /** After a kill, the System V segment the postmaster kept is left: remove it (ipcrm), best effort. */
        private void removeSharedMemory() {
            try {
                List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
                if (lines.size() >= 7) {
                    String[] keyAndId = lines.get(6).trim().split("\\s+");
                    if (keyAndId.length == 2) {
                        Tools.run(List.of("ipcrm", "-m", keyAndId[1]), baseDirectory, "ipcrm");
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone already, or no ipcrm: the next start of this data directory removes it too
            }
        }

        private void pgCtl(String action, String... extra) {
            List<String> args = new ArrayList<>(List.of("-D", dataDirectory.toString(), "-w", "-t", "60", "-s"));
            args.addAll(List.of(extra));
            args.add(action);
            Tools.runPostgres("pg_ctl", args, baseDirectory);
        }

        private String logTail() {
            try {
                if (!Files.exists(logFile)) {
                    return "";
                }
                String log = Files.readString(logFile);
                return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
            } catch (IOException e) {
                return "(unreadable: " + e.getMessage() + ")";
            }
        }

        /** True once process {@code pid} has exited (a zombie waiting for its parent counts: its sockets are closed). */
        static boolean isGone(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                int end = stat.lastIndexOf(')');
                return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) == 'Z' || stat.charAt(end + 2) == 'X';
            } catch (IOException e) {
                return true;
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
