package dev.tusk.internal.core;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Random, truncated and hostile bytes fed to the decoder: a clean OperationalException every time, no
 * other exception, no unbounded allocation.
 */
class HostileInputTest {

    @Test
    void hugeLengthIsRefusedWithoutAllocating() {
        ProtocolCore core = new ProtocolCore();
        core.send(new SimpleQuery("x"));
        byte[] header = {'D', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        core.input().append(header, 0, header.length);
        assertThatThrownBy(core::process).isInstanceOf(OperationalException.class).hasMessageContaining("announces length 2147483647");
        assertThat(core.input().array().length).isLessThan(1 << 20);
    }

    @Test
    void negativeLengthIsRefused() {
        ProtocolCore core = new ProtocolCore();
        byte[] header = {'Z', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0};
        core.input().append(header, 0, header.length);
        assertThatThrownBy(core::process).isInstanceOf(OperationalException.class).hasMessageContaining("protocol violation");
        assertThat(core.isBroken()).isTrue();
    }

    @Test
    void unknownMessageTypeIsRefused() {
        ProtocolCore core = new ProtocolCore();
        core.send(new SimpleQuery("x"));
        byte[] msg = BackendBytes.reply().msg('!', new byte[] {1, 2, 3}).bytes();
        core.input().append(msg, 0, msg.length);
        assertThatThrownBy(core::process).isInstanceOf(OperationalException.class).hasMessageContaining("unexpected message '!'");
    }

    @Test
    void truncatedBodiesAreRefused() {
        // a RowDescription that claims 3 columns but carries one
        byte[] good = BackendBytes.reply().rows("a", "23").bytes();
        good[6] = 3;
        ProtocolCore core = new ProtocolCore();
        core.send(new SimpleQuery("x"));
        core.input().append(good, 0, good.length);
        assertThatThrownBy(core::process).isInstanceOf(OperationalException.class).hasMessageContaining("protocol violation");
    }

    @RepeatedTest(20)
    void randomBytesOnlyEverGiveOperationalExceptions() {
        Random rnd = new Random();
        long seed = rnd.nextLong();
        rnd.setSeed(seed);
        for (int round = 0; round < 500; round++) {
            ProtocolCore core = new ProtocolCore(new dev.tusk.internal.wire.InputBuffer(64, 1 << 16));
            core.send(new SimpleQuery("x"));
            core.send(new ExtendedQuery("y", "", true, BoundParams.NONE, 0, true));
            byte[] junk = mutate(rnd);
            try {
                for (int i = 0; i < junk.length; ) {
                    int n = Math.min(junk.length - i, 1 + rnd.nextInt(16));
                    core.input().append(junk, i, n);
                    i += n;
                    core.process();
                }
            } catch (TuskException e) {
                assertThat(e).as("seed %d", seed).isInstanceOf(OperationalException.class);
                assertThat(core.isBroken()).isTrue();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": unexpected " + e, e);
            }
            assertThat(core.input().array().length).as("seed %d", seed).isLessThanOrEqualTo((1 << 16) + 64 * 2);
        }
    }

    /** Valid-looking traffic with random corruption: flipped bytes, cut short, random tails. */
    private static byte[] mutate(Random rnd) {
        byte[] base = BackendBytes.reply().rows("a", "23", "b", "25").row("1", "x").row(null, "yy")
                .tag("SELECT 2").error("22012", "boom", "ERROR").ready('I')
                .notification(1, "c", "p").msg('1', new byte[0]).msg('2', new byte[0]).msg('n', new byte[0])
                .ready('T').bytes();
        byte[] b = base.clone();
        int flips = rnd.nextInt(6);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        if (rnd.nextBoolean()) {
            byte[] cut = new byte[rnd.nextInt(b.length)];
            System.arraycopy(b, 0, cut, 0, cut.length);
            b = cut;
        }
        if (rnd.nextInt(4) == 0) {
            byte[] tail = new byte[rnd.nextInt(64)];
            rnd.nextBytes(tail);
            byte[] c = new byte[b.length + tail.length];
            System.arraycopy(b, 0, c, 0, b.length);
            System.arraycopy(tail, 0, c, b.length, tail.length);
            b = c;
        }
        return b;
    }
}
