package dev.tusk.internal.op;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Backend messages, as the server writes them, for the byte-level tests of the operations. */
final class BackendBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static BackendBytes reply() {
        return new BackendBytes();
    }

    BackendBytes msg(char type, byte[] body) {
        out.write(type);
        int len = body.length + 4;
        out.write(len >>> 24);
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.writeBytes(body);
        return this;
    }

    BackendBytes ready(char status) {
        return msg('Z', new byte[] {(byte) status});
    }

    BackendBytes parseComplete() {
        return msg('1', new byte[0]);
    }

    BackendBytes bindComplete() {
        return msg('2', new byte[0]);
    }

    BackendBytes tag(String tag) {
        return msg('C', cstr(new ByteArrayOutputStream(), tag).toByteArray());
    }

    BackendBytes rows(String name, String oid) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        i16(b, 1);
        cstr(b, name);
        i32(b, 0);
        i16(b, 0);
        i32(b, Integer.parseInt(oid));
        i16(b, -1);
        i32(b, -1);
        i16(b, 0);
        return msg('T', b.toByteArray());
    }

    BackendBytes row(String value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        i16(b, 1);
        byte[] x = value.getBytes(StandardCharsets.UTF_8);
        i32(b, x.length);
        b.writeBytes(x);
        return msg('D', b.toByteArray());
    }

    BackendBytes error(String sqlstate, String message) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write('S');
        cstr(b, "ERROR");
        b.write('C');
        cstr(b, sqlstate);
        b.write('M');
        cstr(b, message);
        b.write(0);
        return msg('E', b.toByteArray());
    }

    BackendBytes emptyQuery() {
        return msg('I', new byte[0]);
    }

    private BackendBytes copyResponse(char type, int format, int columns) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(format);
        i16(b, columns);
        for (int i = 0; i < columns; i++) {
            i16(b, format);
        }
        return msg(type, b.toByteArray());
    }

    BackendBytes copyIn(int format, int columns) {
        return copyResponse('G', format, columns);
    }

    BackendBytes copyOut(int format, int columns) {
        return copyResponse('H', format, columns);
    }

    BackendBytes data(String chunk) {
        return msg('d', chunk.getBytes(StandardCharsets.UTF_8));
    }

    BackendBytes copyDone() {
        return msg('c', new byte[0]);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private static ByteArrayOutputStream cstr(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        b.write(0);
        return b;
    }

    private static void i16(ByteArrayOutputStream b, int v) {
        b.write(v >>> 8);
        b.write(v);
    }

    private static void i32(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write(v >>> 16);
        b.write(v >>> 8);
        b.write(v);
    }
}
