package dev.tusk.bench;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.Predicate;

/**
 * Loads the classes {@code own} names from its own directories first (another build of Tusk), the rest from its
 * parent: two builds side by side in one JVM, for A/B measurements that a loaded machine does not blur as much as
 * separate runs do ({@link JdbcBuildsAB}, {@link AsyncJoinProfile}).
 */
final class BuildFirstLoader extends URLClassLoader {
    private final Predicate<String> own;

    BuildFirstLoader(URL[] urls, ClassLoader parent, Predicate<String> own) {
        super(urls, parent);
        this.own = own;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!own.test(name)) {
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
