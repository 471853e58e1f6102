package dev.tusk.r2dbc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SpareCursors}: each cursor kept is taken once, no more are kept than it has slots, clear drops them. */
class SpareCursorsTest {
    @Test
    void keepsUpToItsCapacityAndHandsEachOneBackOnce() {
        SpareCursors<String> s = new SpareCursors<>(3);
        assertThat(s.take()).isNull();
        assertThat(s.give("a")).isTrue();
        assertThat(s.take()).isEqualTo("a");
        assertThat(s.take()).isNull();
        assertThat(s.give("a")).isTrue();
        assertThat(s.give("b")).isTrue();
        assertThat(s.give("c")).isTrue();
        assertThat(s.give("d")).isFalse(); // full: dropped
        Set<String> taken = new HashSet<>(List.of(s.take(), s.take(), s.take()));
        assertThat(taken).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(s.take()).isNull();
        s.give("e");
        s.give("f");
        s.clear();
        assertThat(s.take()).isNull();
    }

    @Test
    void threadsGivingAndTakingNeverShareACursor() throws Exception {
        SpareCursors<Object> s = new SpareCursors<>(8);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger clashes = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100_000; i++) {
                    Object c = s.take();
                    if (c == null) {
                        c = new AtomicInteger();
                    }
                    if (((AtomicInteger) c).incrementAndGet() != 1) { // another thread holds the same cursor
                        clashes.incrementAndGet();
                    }
                    inUse.incrementAndGet();
                    ((AtomicInteger) c).decrementAndGet();
                    s.give(c);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(inUse.get()).isEqualTo(400_000);
        assertThat(clashes.get()).isZero();
    }
}
