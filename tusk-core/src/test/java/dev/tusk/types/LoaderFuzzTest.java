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
import java.util.stream.IntStream;

/**
 * Coverage-guided fuzzing of every built-in loader, text and binary, and of their arrays: a server (or a
 * proxy pretending to be one) decides these bytes. Only Tusk's documented exceptions may escape (a
 * {@code DataException} naming the type); anything else (an error, a hang, unbounded memory) is a finding. Replays its committed corpus in every
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
        ByteBuffer value = ByteBuffer.wrap(bytes);
        try {
            ValueLoading.load(loader, value, oid); // as a row does
        } catch (TuskException expected) {
            // malformed bytes for the type: a DataException is the documented outcome
        }
    }
}
