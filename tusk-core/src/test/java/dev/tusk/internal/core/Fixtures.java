package dev.tusk.internal.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds backend messages byte by byte, as a server would send them. */
final class Fixtures {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Fixtures server() {
        return new Fixtures();
    }

    Fixtures msg(char type, byte[] body) {
        out.write(type);
        int len = body.length + 4;
        out.write(len >>> 24);
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.writeBytes(body);
        return this;
    }

    Fixtures readyForQuery(char status) {
        return msg('Z', new byte[] {(byte) status});
    }

    Fixtures rowDescription(String... namesAndOids) {
        Body b = new Body().i16(namesAndOids.length / 2);
        for (int i = 0; i < namesAndOids.length; i += 2) {
            b.cstr(namesAndOids[i]).i32(0).i16(0).i32(Integer.parseInt(namesAndOids[i + 1])).i16(-1).i32(-1).i16(0);
        }
        return msg('T', b.bytes());
    }

    Fixtures dataRow(String... values) {
        Body b = new Body().i16(values.length);
        for (String v : values) {
            if (v == null) {
                b.i32(-1);
            } else {
                byte[] x = v.getBytes(StandardCharsets.UTF_8);
                b.i32(x.length).raw(x);
            }
        }
        return msg('D', b.bytes());
    }

    Fixtures commandComplete(String tag) {
        return msg('C', new Body().cstr(tag).bytes());
    }

    Fixtures error(String sqlstate, String message, String severity) {
        return msg('E', new Body().b('S').cstr(severity).b('C').cstr(sqlstate).b('M').cstr(message).b(0).bytes());
    }

    Fixtures notification(int pid, String channel, String payload) {
        return msg('A', new Body().i32(pid).cstr(channel).cstr(payload).bytes());
    }

    Fixtures parameterStatus(String name, String value) {
        return msg('S', new Body().cstr(name).cstr(value).bytes());
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static final class Body {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Body b(int v) {
            b.write(v);
            return this;
        }

        Body i16(int v) {
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        Body i32(int v) {
            b.write(v >>> 24);
            b.write(v >>> 16);
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        Body cstr(String s) {
            b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
            return this;
        }

        Body raw(byte[] x) {
            b.writeBytes(x);
            return this;
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
