package dev.tusk.replication;

/** Big-endian integers in byte arrays. */
final class Bytes {
    private Bytes() {
    }

    static long int64(byte[] b, int at) {
        return (b[at] & 0xffL) << 56 | (b[at + 1] & 0xffL) << 48 | (b[at + 2] & 0xffL) << 40 | (b[at + 3] & 0xffL) << 32
                | (b[at + 4] & 0xffL) << 24 | (b[at + 5] & 0xffL) << 16 | (b[at + 6] & 0xffL) << 8 | b[at + 7] & 0xffL;
    }

    static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    static int int16(byte[] b, int at) {
        return (short) ((b[at] & 0xff) << 8 | b[at + 1] & 0xff);
    }

    static void putInt64(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
