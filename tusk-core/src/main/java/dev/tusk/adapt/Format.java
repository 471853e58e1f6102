package dev.tusk.adapt;

/** The wire format of a value: PostgreSQL's text or binary representation. */
public enum Format {
    TEXT(0), BINARY(1);

    private final int code;

    Format(int code) {
        this.code = code;
    }

    /** The protocol's format code: 0 for text, 1 for binary. */
    public int code() {
        return code;
    }

    public static Format ofCode(int code) {
        return code == 1 ? BINARY : TEXT;
    }
}
