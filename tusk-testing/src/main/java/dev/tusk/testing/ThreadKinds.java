package dev.tusk.testing;

import java.lang.reflect.Method;

/**
 * Threads of a kind a test names: {@code "platform"}, or {@code "virtual"} when the JDK running the tests has virtual
 * threads (21+; the build targets 17, hence the reflection).
 *
 * <pre>{@code
 * Thread t = ThreadKinds.start("virtual", () -> conn.execute("SELECT pg_sleep(1)"));
 * assumeTrue(t != null, "virtual threads need JDK 21+");
 * }</pre>
 */
public final class ThreadKinds {
    private ThreadKinds() {
    }

    /** Starts {@code r} on a new thread of {@code kind}; null when the JDK has no virtual threads. */
    public static Thread start(String kind, Runnable r) throws Exception {
        if ("platform".equals(kind)) {
            Thread t = new Thread(r);
            t.start();
            return t;
        }
        Method ofVirtual;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            return null;
        }
        Object builder = ofVirtual.invoke(null);
        return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class).invoke(builder, r);
    }
}
