package dev.tusk.internal.wire;

/**
 * The type bytes of the messages the server sends (PostgreSQL's "Message Formats"), named as the protocol
 * names them, and the transaction status byte that ReadyForQuery carries.
 */
public final class BackendMessage {
    private BackendMessage() {
    }

    /** AuthenticationOk, AuthenticationSASL and the other authentication requests. */
    public static final char AUTHENTICATION = 'R';
    public static final char BACKEND_KEY_DATA = 'K';
    public static final char BIND_COMPLETE = '2';
    public static final char CLOSE_COMPLETE = '3';
    public static final char COMMAND_COMPLETE = 'C';
    public static final char COPY_DATA = 'd';
    public static final char COPY_DONE = 'c';
    public static final char COPY_IN_RESPONSE = 'G';
    public static final char COPY_OUT_RESPONSE = 'H';
    public static final char COPY_BOTH_RESPONSE = 'W';
    public static final char DATA_ROW = 'D';
    public static final char EMPTY_QUERY_RESPONSE = 'I';
    public static final char ERROR_RESPONSE = 'E';
    public static final char NEGOTIATE_PROTOCOL_VERSION = 'v';
    public static final char NO_DATA = 'n';
    public static final char NOTICE_RESPONSE = 'N';
    public static final char NOTIFICATION_RESPONSE = 'A';
    public static final char PARAMETER_DESCRIPTION = 't';
    public static final char PARAMETER_STATUS = 'S';
    public static final char PARSE_COMPLETE = '1';
    public static final char PORTAL_SUSPENDED = 's';
    public static final char READY_FOR_QUERY = 'Z';
    public static final char ROW_DESCRIPTION = 'T';

    /** The one-byte answer to SSLRequest: the server goes on with TLS. */
    public static final char SSL_ACCEPTED = 'S';
    /** The one-byte answer to SSLRequest: no TLS, go on in plain text. */
    public static final char SSL_REFUSED = 'N';

    /** ReadyForQuery's status: not in a transaction block. */
    public static final char STATUS_IDLE = 'I';
    /** ReadyForQuery's status: in a transaction block. */
    public static final char STATUS_IN_TRANSACTION = 'T';
    /** ReadyForQuery's status: in a failed transaction block (queries are rejected until it ends). */
    public static final char STATUS_IN_FAILED_TRANSACTION = 'E';
}
