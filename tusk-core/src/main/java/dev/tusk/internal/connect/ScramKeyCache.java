package dev.tusk.internal.connect;

import javax.crypto.Mac;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process's cache of SCRAM salted passwords ({@code Hi(password, salt, i)}, RFC 5802), so that a reconnect
 * to a server that sends the same salt and iteration count (a pool's new connection, a reconnect after a
 * failover to a standby with the same role) skips the 4,096 PBKDF2 rounds.
 *
 * <p>Held in memory only, never written anywhere. An entry is found by an HMAC-SHA-256, under a key drawn at
 * random for this process, of the password, the salt and the iteration count (each length-prefixed): the
 * password itself is not kept, and a different password, salt or count never finds another's entry. At most
 * {@link #CAPACITY} entries, the least recently used dropped first. {@link #clear()} (public as
 * {@code Tusk.clearAuthCache()}, and called when a pool closes) wipes every entry.
 */
public final class ScramKeyCache {
    /** How many (password, salt, count) combinations are kept: a process talks to few roles and servers. */
    static final int CAPACITY = 64;

    private static final byte[] PROCESS_KEY = new byte[32];
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<ByteBuffer, byte[]> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);
    /** Salted passwords computed (cache misses), for tests. */
    static final AtomicLong DERIVATIONS = new AtomicLong();
    /** Salted passwords found in the cache, for tests. */
    static final AtomicLong HITS = new AtomicLong();

    static {
        new SecureRandom().nextBytes(PROCESS_KEY);
    }

    private ScramKeyCache() {
    }

    /** {@code Hi(password, salt, iterations)}: from the cache, else computed and cached. Returns a copy. */
    static byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
        ByteBuffer key = ByteBuffer.wrap(lookupKey(password, salt, iterations));
        LOCK.lock();
        try {
            byte[] found = ENTRIES.get(key);
            if (found != null) {
                HITS.incrementAndGet();
                return found.clone();
            }
        } finally {
            LOCK.unlock();
        }
        // computed outside the lock: two first connects at once may both derive it, which is harmless
        byte[] salted = ScramClient.hi(password, salt, iterations);
        DERIVATIONS.incrementAndGet();
        LOCK.lock();
        try {
            ENTRIES.put(key, salted.clone());
            if (ENTRIES.size() > CAPACITY) {
                Iterator<Map.Entry<ByteBuffer, byte[]>> eldest = ENTRIES.entrySet().iterator();
                Arrays.fill(eldest.next().getValue(), (byte) 0);
                eldest.remove();
            }
        } finally {
            LOCK.unlock();
        }
        return salted;
    }

    /**
     * Forgets every cached salted password (zeroing the arrays); the next SCRAM login of each role pays PBKDF2
     * again. Returns how many were forgotten.
     */
    public static int clear() {
        LOCK.lock();
        try {
            int dropped = ENTRIES.size();
            for (byte[] salted : ENTRIES.values()) {
                Arrays.fill(salted, (byte) 0);
            }
            ENTRIES.clear();
            return dropped;
        } finally {
            LOCK.unlock();
        }
    }

    /** Entries held now, for tests. */
    static int size() {
        LOCK.lock();
        try {
            return ENTRIES.size();
        } finally {
            LOCK.unlock();
        }
    }

    private static byte[] lookupKey(byte[] password, byte[] salt, int iterations) {
        Mac mac = Sha256.hmac(PROCESS_KEY);
        mac.update(ByteBuffer.allocate(4).putInt(0, password.length));
        mac.update(password);
        mac.update(ByteBuffer.allocate(4).putInt(0, salt.length));
        mac.update(salt);
        mac.update(ByteBuffer.allocate(4).putInt(0, iterations));
        return mac.doFinal();
    }
}
