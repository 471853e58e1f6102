package dev.tusk.internal.wire;

/**
 * The type bytes of the messages the client sends (PostgreSQL's "Message Formats"), named as the protocol
 * names them, and the kinds of object Describe and Close name.
 */
public final class FrontendMessage {
    private FrontendMessage() {
    }

    public static final byte BIND = 'B';
    public static final byte CLOSE = 'C';
    public static final byte COPY_DATA = 'd';
    public static final byte COPY_DONE = 'c';
    public static final byte COPY_FAIL = 'f';
    public static final byte DESCRIBE = 'D';
    public static final byte EXECUTE = 'E';
    public static final byte FLUSH = 'H';
    public static final byte PARSE = 'P';
    /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this type. */
    public static final byte PASSWORD = 'p';
    public static final byte QUERY = 'Q';
    public static final byte SYNC = 'S';
    public static final byte TERMINATE = 'X';

    /** Describe or Close a prepared statement. */
    public static final byte TARGET_STATEMENT = 'S';
    /** Describe or Close a portal. */
    public static final byte TARGET_PORTAL = 'P';
}
