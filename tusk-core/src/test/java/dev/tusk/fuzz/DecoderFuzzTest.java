package dev.tusk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tusk.Conninfo;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.SimpleQuery;

import java.util.Map;

/**
 * Coverage-guided fuzzing with Jazzer of what reads untrusted input: the backend message decoder and
 * the conninfo/URI parser. Only Tusk's documented exceptions may escape; anything else (an
 * IndexOutOfBounds, a NumberFormatException, an OutOfMemoryError, a hang) is a finding.
 *
 * <p>In the normal test run each target replays its committed corpus (src/test/resources/dev/tusk/fuzz/
 * DecoderFuzzTestInputs/&lt;method&gt;). {@code .ci/run} also fuzzes each one for a bounded time with
 * {@code JAZZER_FUZZ=1}: {@code mvn -pl tusk-core test -Dtest='DecoderFuzzTest#protocolDecoder' -Djazzer.max_duration=30s}.
 */
class DecoderFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void protocolDecoder(byte[] bytes) {
        if (bytes == null) {
            return;
        }
        ProtocolCore core = new ProtocolCore();
        core.send(new SimpleQuery("SELECT 1"));
        try {
            core.input().append(bytes, 0, bytes.length);
            core.process();
        } catch (TuskException expected) {
            // a protocol error is the documented outcome of hostile bytes
        }
    }

    @FuzzTest(maxDuration = "20s")
    void conninfoParser(String conninfo) {
        if (conninfo == null) {
            return; // null is a caller's bug, not input
        }
        try {
            Map<String, String> parsed = Conninfo.parse(conninfo);
            Conninfo.parse(Conninfo.make("", parsed)); // what make() writes must parse again
        } catch (TuskException expected) {
            // ProgrammingException: malformed or unknown keyword
        }
    }
}
