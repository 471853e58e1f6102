package dev.tusk.internal.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Backend messages built byte by byte, as the server writes them, for the byte-level tests of the protocol core
 * and of the operations.
 */
public final class BackendBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static BackendBytes reply() {
        return new BackendBytes();
    }

    public BackendBytes msg(char type, byte[] body) {
        out.write(type);
        int len = body.length + 4;
        out.write(len >>> 24);
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.writeBytes(body);
        return this;
    }

    public BackendBytes ready(char status) {
        return msg('Z', new byte[] {(byte) status});
    }

    public BackendBytes parseComplete() {
        return msg('1', new byte[0]);
    }

    public BackendBytes bindComplete() {
        return msg('2', new byte[0]);
    }

    public BackendBytes tag(String tag) {
        return msg('C', new Body().cstr(tag).bytes());
    }

    /** A RowDescription of text columns: name, type oid, name, type oid... */
    public BackendBytes rows(String... namesAndOids) {
        Body b = new Body().i16(namesAndOids.length / 2);
        for (int i = 0; i < namesAndOids.length; i += 2) {
            b.cstr(namesAndOids[i]).i32(0).i16(0).i32(Integer.parseInt(namesAndOids[i + 1])).i16(-1).i32(-1).i16(0);
        }
        return msg('T', b.bytes());
    }

    /** A DataRow; a null value is SQL NULL. */
    public BackendBytes row(String... values) {
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

    public BackendBytes error(String sqlstate, String message) {
        return error(sqlstate, message, "ERROR");
    }

    public BackendBytes error(String sqlstate, String message, String severity) {
        return msg('E', new Body().b('S').cstr(severity).b('C').cstr(sqlstate).b('M').cstr(message).b(0).bytes());
    }

    public BackendBytes emptyQuery() {
        return msg('I', new byte[0]);
    }

    public BackendBytes notification(int pid, String channel, String payload) {
        return msg('A', new Body().i32(pid).cstr(channel).cstr(payload).bytes());
    }

    public BackendBytes parameterStatus(String name, String value) {
        return msg('S', new Body().cstr(name).cstr(value).bytes());
    }

    private BackendBytes copyResponse(char type, int format, int columns) {
        Body b = new Body().b(format).i16(columns);
        for (int i = 0; i < columns; i++) {
            b.i16(format);
        }
        return msg(type, b.bytes());
    }

    public BackendBytes copyIn(int format, int columns) {
        return copyResponse('G', format, columns);
    }

    public BackendBytes copyOut(int format, int columns) {
        return copyResponse('H', format, columns);
    }

    public BackendBytes data(String chunk) {
        return msg('d', chunk.getBytes(StandardCharsets.UTF_8));
    }

    public BackendBytes copyDone() {
        return msg('c', new byte[0]);
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** A message body, field by field. */
    public static final class Body {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        public Body b(int v) {
            b.write(v);
            return this;
        }

        public Body i16(int v) {
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        public Body i32(int v) {
            b.write(v >>> 24);
            b.write(v >>> 16);
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        public Body cstr(String s) {
            b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
            return this;
        }

        public Body raw(byte[] x) {
            b.writeBytes(x);
            return this;
        }

        public byte[] bytes() {
            return b.toByteArray();
        }
    }
}
