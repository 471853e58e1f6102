package dev.tusk.internal.conninfo;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What connection parameters depend on outside the program: environment variables, the home directory, the OS
 * user name, where servers put their unix sockets and where the system-wide service file lives. Tests pass their
 * own instead of changing the real environment.
 *
 * @param getenv        reads an environment variable (null when unset)
 * @param home          the user's home directory, or null if unknown
 * @param osUser        the OS user name, libpq's default {@code user}
 * @param socketDirs    the directories searched, in order, for a server's unix socket when no host is given
 * @param sysconfDir    the directory of the system-wide {@code pg_service.conf} when PGSYSCONFDIR is unset
 * @param windows       true on Windows (other file locations, no unix sockets by default)
 */
public record Environment(Function<String, String> getenv, Path home, String osUser, List<Path> socketDirs,
                          Path sysconfDir, boolean windows) {

    /**
     * Where servers put their sockets: Debian/Ubuntu and Red Hat builds use /var/run/postgresql, PostgreSQL's own
     * build /tmp.
     */
    public static final List<Path> DEFAULT_SOCKET_DIRS = List.of(Path.of("/var/run/postgresql"), Path.of("/tmp"));

    private static final Path DEFAULT_SYSCONF_DIR = Path.of("/etc/postgresql-common");

    /** The real environment of this process. */
    public static Environment system() {
        String home = System.getProperty("user.home");
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return new Environment(System::getenv, home == null || home.isEmpty() ? null : Path.of(home),
                System.getProperty("user.name"), windows ? List.of() : DEFAULT_SOCKET_DIRS, DEFAULT_SYSCONF_DIR,
                windows);
    }

    /** A POSIX environment with the given variables and home directory, for tests. */
    public static Environment of(Map<String, String> vars, Path home, String osUser) {
        return new Environment(vars::get, home, osUser, DEFAULT_SOCKET_DIRS, DEFAULT_SYSCONF_DIR, false);
    }

    /** This environment with other socket directories. */
    public Environment withSocketDirs(List<Path> dirs) {
        return new Environment(getenv, home, osUser, List.copyOf(dirs), sysconfDir, windows);
    }

    /** This environment with another system configuration directory. */
    public Environment withSysconfDir(Path dir) {
        return new Environment(getenv, home, osUser, socketDirs, dir, windows);
    }

    public String get(String name) {
        return getenv.apply(name);
    }

    /** libpq's per-user configuration directory: the home directory, or %APPDATA%\postgresql on Windows. */
    Path userConfigDir() {
        if (windows) {
            String appdata = get("APPDATA");
            return appdata == null ? null : Path.of(appdata, "postgresql");
        }
        return home;
    }

    /** The default password file: ~/.pgpass, or %APPDATA%\postgresql\pgpass.conf on Windows. */
    Path defaultPassFile() {
        Path dir = userConfigDir();
        return dir == null ? null : dir.resolve(windows ? "pgpass.conf" : ".pgpass");
    }

    /** The default per-user service file: ~/.pg_service.conf (%APPDATA%\postgresql\.pg_service.conf). */
    Path defaultServiceFile() {
        Path dir = userConfigDir();
        return dir == null ? null : dir.resolve(".pg_service.conf");
    }

    /** The system-wide service file: $PGSYSCONFDIR/pg_service.conf, else in {@link #sysconfDir()}. */
    Path systemServiceFile() {
        String dir = get("PGSYSCONFDIR");
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir, "pg_service.conf");
        }
        return sysconfDir == null ? null : sysconfDir.resolve("pg_service.conf");
    }
}
