package dev.tusk.internal.conninfo;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Jazzer: the password-file parser takes any text without failing (a bad line is skipped, as libpq does). */
class PassFileFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void passFileLines(FuzzedDataProvider data) {
        String host = data.consumeString(20);
        String port = data.consumeString(6);
        String db = data.consumeString(20);
        String user = data.consumeString(20);
        String[] wanted = {host, port, db, user};
        for (String line : data.consumeRemainingAsString().split("\n", -1)) {
            PassFile.match(line, wanted);
        }
    }
}
