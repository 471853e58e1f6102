package dev.tusk.types;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tusk.Tusk;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.ValueLoading;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Coverage-guided fuzzing of every built-in loader, text and binary, and of their arrays: a server (or a
 * proxy pretending to be one) decides these bytes. Only Tusk's documented exceptions may escape (a
 * {@code DataException} naming the type); anything else (an error, a hang, unbounded memory) is a finding,
 * and so is a value that depends on the bytes around it: rows hand loaders the received bytes in place,
 * so a loader that reads past its value would read the next one. Replays its committed corpus in every
 * test run; {@code verify} fuzzes it for a bounded time (see tusk-core's pom).
 */
class LoaderFuzzTest {
    private static final AdaptersMap ADAPTERS = Tusk.adapters();
    private static final int[] OIDS = IntStream.concat(IntStream.of(BuiltinTypes.ALL_OIDS),
                    IntStream.of(BuiltinTypes.ALL_OIDS).map(oid -> ADAPTERS.types().arrayOidOf(oid)))
            .filter(oid -> oid != 0).distinct().toArray();

    @FuzzTest(maxDuration = "20s")
    void builtinLoaders(FuzzedDataProvider data) {
        int oid = OIDS[data.consumeInt(0, OIDS.length - 1)];
        Format format = data.consumeBoolean() ? Format.BINARY : Format.TEXT;
        Loader<?> loader = ADAPTERS.loaderFor(oid, format);
        if (loader == null) {
            return; // no built-in loader for this type and format: the row hands out the raw value
        }
        byte[] bytes = data.consumeRemainingAsBytes();
        Object alone = load(loader, bytes, 0, bytes.length, oid);
        byte[] amid = new byte[bytes.length + 2 * GUARD]; // as a row holds it: other values before and after
        Arrays.fill(amid, (byte) '9');
        System.arraycopy(bytes, 0, amid, GUARD, bytes.length);
        Object inPlace = load(loader, amid, GUARD, bytes.length, oid);
        if (!comparable(alone).equals(comparable(inPlace))) {
            throw new AssertionError("the value depends on the bytes around it: " + alone + " alone, " + inPlace + " in place");
        }
        Object viaBuffer;
        try {
            viaBuffer = loader.load(ByteBuffer.wrap(amid, GUARD, bytes.length));
        } catch (RuntimeException e) {
            viaBuffer = Failed.INSTANCE;
        }
        if (!comparable(alone).equals(comparable(viaBuffer))) {
            throw new AssertionError("load(ByteBuffer) and load(byte[], int, int) disagree: " + alone + ", " + viaBuffer);
        }
    }

    private static final int GUARD = 8;

    /** The value with arrays (bytea's byte[], Java arrays) and lists turned into lists, so equals compares contents. */
    private static Object comparable(Object v) {
        if (v instanceof byte[] b) {
            return Arrays.toString(b);
        }
        if (v instanceof Object[] a) {
            return comparable(Arrays.asList(a));
        }
        if (v != null && v.getClass().isArray()) { // int[], double[], ...
            return Arrays.toString(IntStream.range(0, java.lang.reflect.Array.getLength(v))
                    .mapToObj(i -> java.lang.reflect.Array.get(v, i)).toArray());
        }
        if (v instanceof java.util.List<?> l) {
            return l.stream().map(LoaderFuzzTest::comparable).toList();
        }
        return Objects.requireNonNullElse(v, "null");
    }

    /** Malformed bytes for the type, refused with the documented DataException. */
    private enum Failed { INSTANCE }

    private static Object load(Loader<?> loader, byte[] bytes, int offset, int length, int oid) {
        try {
            return ValueLoading.load(loader, bytes, offset, length, oid); // as a row does
        } catch (TuskException expected) {
            return Failed.INSTANCE;
        }
    }
}
