package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.internal.connect.ScramKeyCache;
import dev.tusk.types.BuiltinAdapters;

/**
 * Process-wide entry points of the driver.
 *
 * <pre>{@code
 * Tusk.adapters().registerDumper(MyId.class, new MyIdDumper()); // every connection made after this sees it
 * }</pre>
 */
public final class Tusk {
    private Tusk() {
    }

    /** The global adapters map: the built-ins, and the parent of every connection's map. */
    public static AdaptersMap adapters() {
        return BuiltinAdapters.global();
    }

    /**
     * Forgets the SCRAM-SHA-256 keys this process cached. To make a reconnect cheap (a pool's new connection, a
     * reconnect after a failover), Tusk keeps in memory, never anywhere else, the salted password that a SCRAM
     * login derives from the password and the salt and iteration count the server sent (4,096 rounds of
     * PBKDF2 by default, a few milliseconds of CPU), found again only when the same password meets the same salt
     * and count; the password itself is not kept. The cache holds at most a few dozen entries and is also cleared
     * when a {@code ConnectionPool} or {@code AsyncConnectionPool} closes. Call this to drop the keys earlier,
     * e.g. after a password rotation or before a heap dump; the next SCRAM login of each role derives them again.
     *
     * @return how many cached keys were forgotten
     */
    public static int clearAuthCache() {
        return ScramKeyCache.clear();
    }
}
