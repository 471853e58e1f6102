package dev.tusk;

import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.TwoPhaseSteps;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * What of two-phase commit needs this package: the xids of {@code tpcRecover()}'s rows. The state machine and
 * its rules, shared by both drivers, are {@link TwoPhaseSteps}'.
 */
final class TwoPhaseState {
    private TwoPhaseState() {
    }

    /** The xids of {@link TwoPhaseSteps#RECOVER_SQL}'s result, XA ids parsed back. */
    static List<Xid> recovered(ResultData r) {
        List<Xid> out = new ArrayList<>(r.rowCount());
        for (int i = 0; i < r.rowCount(); i++) {
            String micros = text(r, i, 1);
            Instant when = micros == null ? null : Instant.EPOCH.plus(Long.parseLong(micros), ChronoUnit.MICROS);
            out.add(Xid.recovered(text(r, i, 0), when, text(r, i, 2), text(r, i, 3)));
        }
        return out;
    }

    private static String text(ResultData r, int row, int col) {
        int len = r.length(row, col);
        return len < 0 ? null : new String(r.data(row), r.offset(row, col), len, StandardCharsets.UTF_8);
    }

    /** A gid (or any text) as a string literal that reads the same whatever standard_conforming_strings says. */
    static String quoteLiteral(String s) {
        return TwoPhaseSteps.quoteLiteral(s);
    }
}
