package dev.tusk.internal.conninfo;

import java.nio.file.Path;

/** Where libpq's defaults come from: environment variables and the home directory (injectable for tests). */
public interface Environment {
    String getenv(String name);

    Path home();

    /** The process environment and {@code user.home}. */
    Environment SYSTEM = new Environment() {
        @Override
        public String getenv(String name) {
            return System.getenv(name);
        }

        @Override
        public Path home() {
            return Path.of(System.getProperty("user.home"));
        }
    };
}
