package dev.tusk.internal;

/**
 * An internal door into package-private parts of {@code dev.tusk}: the one implementation of {@code H}, installed
 * by a class of {@code dev.tusk} when that class is initialised. Internal packages reach it without naming that
 * class (a package cycle), so the first {@link #get()} before anything else loaded it loads it by name.
 *
 * @param <H> the hooks' interface
 */
public final class InstalledHooks<H> {
    private final String installer;
    private volatile H hooks;

    /** @param installer the binary name of the dev.tusk class whose initialisation installs the hooks */
    public InstalledHooks(String installer) {
        this.installer = installer;
    }

    /** Called once, by the installer's class initialisation. */
    public void install(H h) {
        hooks = h;
    }

    /** The installed hooks; the first call may initialise the installer (so install them). */
    public H get() {
        H h = hooks;
        if (h == null) {
            try {
                Class.forName(installer, true, InstalledHooks.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Tusk's " + installer + " is missing from the class path", e);
            }
            h = hooks;
        }
        return h;
    }
}
