package dev.tusk.bench;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.Predicate;

/**
 * Loads the classes of one build of Tusk from that build's directories first (child-first), the rest from the
 * bench's class path: several builds side by side in one JVM ({@link JdbcBuildsAB}, {@link FetchBuildsAB},
 * {@link AsyncJoinProfile}).
 */
final class BuildFirstLoader extends URLClassLoader {
    private final Predicate<String> fromBuild;

    /** {@code fromBuild}: the names to look for in {@code urls} before the parent. */
    BuildFirstLoader(URL[] urls, ClassLoader parent, Predicate<String> fromBuild) {
        super(urls, parent);
        this.fromBuild = fromBuild;
    }

    /** Tusk's classes, but this module's. */
    static boolean tuskNotBench(String name) {
        return name.startsWith("dev.tusk.") && !name.startsWith("dev.tusk.bench.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!fromBuild.test(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException notHere) {
                    c = super.loadClass(name, false);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
