package dev.tusk.internal.core;

import dev.tusk.errors.Diagnostic;
import dev.tusk.internal.wire.Payload;

import java.util.EnumMap;
import java.util.Map;

/** Decodes the body of ErrorResponse and NoticeResponse. */
final class Diagnostics {
    private Diagnostics() {
    }

    static Diagnostic parse(Payload p) {
        Map<Diagnostic.Field, String> fields = new EnumMap<>(Diagnostic.Field.class);
        while (p.remaining() > 0) {
            int code = p.int8();
            if (code == 0) {
                break;
            }
            String value = p.cstring();
            Diagnostic.Field f = Diagnostic.Field.ofCode((char) code);
            if (f != null) {
                fields.put(f, value);
            }
        }
        return new Diagnostic(fields);
    }
}
