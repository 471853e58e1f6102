package dev.tusk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A PostgreSQL server this harness runs from the binaries on the classpath: its own data directory under
 * {@code ${java.io.tmpdir}/tusk-pg}, TCP on 127.0.0.1 at a free port, a unix socket in a private directory, and
 * a log file.
 *
 * <p>The shared server behind {@link PostgresExtension} is one of these; {@link PostgresServer#dedicated} starts
 * another for one test, which {@link #close() closes} it (stops it and deletes its files).
 */
public final class EmbeddedPostgresServer extends AbstractServer implements AutoCloseable {

    private static final String SUPERUSER = "postgres";
    private static final String HOST = "127.0.0.1";
    private static final String CATCH_ALL_MARKER = "# tusk-testing: catch-all trust rules\n";
    private static final AtomicInteger INSTANCE_COUNTER = new AtomicInteger();

    private final Path baseDirectory;
    private final Path dataDirectory;
    private final Path socketDirectory;
    private final Path logFile;
    private final boolean shared;
    private final ReentrantLock stateLock = new ReentrantLock();
    private int port;
    private volatile boolean running;
    private volatile boolean closed;
    private boolean configChanged;
    private Map<Path, String> baselineFiles = Map.of();

    private EmbeddedPostgresServer(Builder builder) {
        try {
            Path root = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "tusk-pg"));
            this.baseDirectory = Files.createTempDirectory(root,
                    "run-" + ProcessHandle.current().pid() + "-" + INSTANCE_COUNTER.incrementAndGet() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory for an embedded PostgreSQL server", e);
        }
        this.dataDirectory = baseDirectory.resolve("data");
        this.socketDirectory = baseDirectory.resolve("sock");
        this.logFile = baseDirectory.resolve("postgres.log");
        this.shared = builder.shared;
        try {
            initialize(builder);
            startOnFreePort(builder);
            admin(PasswordRoles.setupSql(version()));
            if (version() >= 150000) {
                var template = openConnection("template1");
                try {
                    Jdbc.execute(template, PasswordRoles.grantSql());
                } finally {
                    Jdbc.closeQuietly(template);
                }
            }
            baselineFiles = readConfigFiles();
        } catch (RuntimeException e) {
            destroy();
            throw e;
        }
    }

    /** A builder for a {@linkplain PostgresServer#dedicated dedicated} server. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean isEmbedded() {
        return true;
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    @Override
    String superuserPassword() {
        return null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public Path unixSocketDirectory() {
        return socketDirectory;
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void stop(StopMode mode) {
        stateLock.lock();
        try {
            if (!running) {
                return;
            }
            closeAdminConnection();
            pgCtl("stop", "-m", mode.name().toLowerCase(Locale.ROOT));
            running = false;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public void start() {
        stateLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this embedded server has been closed; start a new one");
            }
            if (running) {
                return;
            }
            pgCtl("start", "-l", logFile.toString());
            running = true;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public void reloadConfig() {
        admin("SELECT pg_reload_conf()");
    }

    @Override
    public void appendConfig(String line) {
        stateLock.lock();
        try {
            configChanged = true;
            Files.writeString(dataDirectory.resolve("postgresql.conf"), "\n" + line + "\n",
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to postgresql.conf", e);
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public void appendHba(String line) {
        stateLock.lock();
        try {
            configChanged = true;
            Path hba = dataDirectory.resolve("pg_hba.conf");
            String text = Files.readString(hba);
            int at = text.indexOf(CATCH_ALL_MARKER);
            Files.writeString(hba, text.substring(0, at) + line + "\n" + text.substring(at));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write pg_hba.conf", e);
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Puts the server back as it was after startup: running, with its original configuration files (restarted
     * when they had changed, so every setting is back when the next test starts).
     */
    void restoreBaseline() {
        stateLock.lock();
        try {
            if (closed) {
                return;
            }
            start();
            boolean autoConfChanged = !baselineFiles.equals(readConfigFiles());
            if (!configChanged && !autoConfChanged) {
                return;
            }
            for (Map.Entry<Path, String> file : baselineFiles.entrySet()) {
                Files.writeString(file.getKey(), file.getValue());
            }
            configChanged = false;
            // a restart, not a reload: pg_reload_conf() only signals the postmaster, so a check made right
            // after it (pending_restart) or the next test could still see the old settings
            restart();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restore the server configuration files", e);
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Stops the server immediately and deletes its files.
     *
     * @throws IllegalStateException on the shared server, which the JVM's shutdown hook closes
     */
    @Override
    public void close() {
        if (shared) {
            throw new IllegalStateException("the shared embedded server is closed by the JVM shutdown hook; "
                    + "use stop() to take it down for a while");
        }
        destroy();
    }

    void destroy() {
        stateLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (running || Files.exists(dataDirectory.resolve("postmaster.pid"))) {
                    closeAdminConnection();
                    pgCtl("stop", "-m", "immediate");
                }
            } catch (RuntimeException e) {
                System.err.println("[tusk-testing] could not stop the embedded server in " + dataDirectory + ": " + e.getMessage());
            }
            running = false;
            if (!Boolean.getBoolean("tusk.testing.keepData")) {
                Tools.deleteRecursively(baseDirectory);
            }
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "embedded PostgreSQL on " + HOST + ":" + port + " (data " + dataDirectory + ")";
    }

    private void initialize(Builder builder) {
        try {
            Files.createDirectories(socketDirectory);
            List<String> args = new ArrayList<>(List.of("-D", dataDirectory.toString(), "-U", SUPERUSER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            args.addAll(builder.initdbArguments);
            Tools.runPostgres("initdb", args, baseDirectory);

            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("listen_addresses", "'" + HOST + "'");
            settings.put("unix_socket_directories", "'" + socketDirectory + "'");
            settings.put("fsync", "off");
            settings.put("synchronous_commit", "off");
            settings.put("full_page_writes", "off");
            settings.put("max_prepared_transactions", "20");
            settings.put("max_connections", "200");
            settings.put("password_encryption", "'scram-sha-256'");
            settings.put("ssl", "off");
            settings.put("timezone", "'UTC'");
            settings.put("log_line_prefix", "'%m [%p] %q%u@%d '");
            settings.putAll(builder.settings);
            StringBuilder conf = new StringBuilder("\n# tusk-testing\n");
            settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(dataDirectory.resolve("postgresql.conf"), conf.toString(),
                    StandardOpenOption.APPEND);

            StringBuilder hba = new StringBuilder("# TYPE  DATABASE  USER  ADDRESS  METHOD\n");
            hba.append(PasswordRoles.hbaLines());
            builder.hbaLines.forEach(l -> hba.append(l).append('\n'));
            hba.append(CATCH_ALL_MARKER);
            hba.append("local  all          all                 trust\n");
            hba.append("host   all          all  127.0.0.1/32   trust\n");
            hba.append("host   all          all  ::1/128        trust\n");
            hba.append("local  replication  all                 trust\n");
            hba.append("host   replication  all  127.0.0.1/32   trust\n");
            hba.append("host   replication  all  ::1/128        trust\n");
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), hba.toString());

            for (Consumer<Path> customizer : builder.beforeStart) {
                customizer.accept(dataDirectory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the data directory " + dataDirectory, e);
        }
    }

    /** Picks a free port and starts; if another process grabbed the port meanwhile, tries another. */
    private void startOnFreePort(Builder builder) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            port = builder.port != 0 ? builder.port : freePort();
            try {
                Files.writeString(dataDirectory.resolve("postgresql.conf"), "port = " + port + "\n",
                        StandardOpenOption.APPEND);
                start();
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalStateException e) {
                last = e;
                if (builder.port != 0 || !logMentions("could not bind") && !logMentions("already in use")) {
                    break;
                }
            }
        }
        throw new IllegalStateException(last.getMessage() + "\nserver log " + logFile + ":\n" + logTail(), last);
    }

    private void pgCtl(String action, String... extra) {
        List<String> args = new ArrayList<>(List.of("-D", dataDirectory.toString(), "-w", "-t", "60", "-s"));
        args.addAll(List.of(extra));
        args.add(action);
        Tools.runPostgres("pg_ctl", args, baseDirectory);
    }

    private Map<Path, String> readConfigFiles() {
        Map<Path, String> files = new LinkedHashMap<>();
        for (String name : List.of("postgresql.conf", "postgresql.auto.conf", "pg_hba.conf")) {
            Path file = dataDirectory.resolve(name);
            try {
                files.put(file, Files.exists(file) ? Files.readString(file) : "");
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
        }
        return files;
    }

    private boolean logMentions(String text) {
        return logTail().contains(text);
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free TCP port on " + HOST, e);
        }
    }

    /** Configures an embedded server before it starts. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> hbaLines = new ArrayList<>();
        private final List<String> initdbArguments = new ArrayList<>();
        private final List<Consumer<Path>> beforeStart = new ArrayList<>();
        private int port;
        private boolean shared;

        private Builder() {
        }

        /**
         * Sets a {@code postgresql.conf} parameter; {@code value} is written as is, so quote strings:
         * {@code setting("ssl_cert_file", "'server.crt'")}.
         */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** Adds a pg_hba.conf line before the catch-all trust lines. */
        public Builder hba(String line) {
            hbaLines.add(line);
            return this;
        }

        /** Passes an extra argument to initdb, e.g. {@code "--data-checksums"}. */
        public Builder initdbArgument(String argument) {
            initdbArguments.add(argument);
            return this;
        }

        /** Runs {@code customizer} on the data directory after initdb, before the first start (e.g. to write certificates). */
        public Builder beforeStart(Consumer<Path> customizer) {
            beforeStart.add(customizer);
            return this;
        }

        /** Listens on this TCP port instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        Builder shared() {
            this.shared = true;
            return this;
        }

        /** Starts the server and waits until it accepts connections. */
        public EmbeddedPostgresServer start() {
            return new EmbeddedPostgresServer(this);
        }
    }
}
