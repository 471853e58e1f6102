package dev.tusk.internal.wire;

import dev.tusk.errors.ProgrammingException;

import java.util.Map;

/** Encoders of the frontend messages of protocol 3.x, one method per message, written into a {@link MessageWriter}. */
public final class Frontend {
    public static final int PROTOCOL_3_0 = 196608;
    public static final int PROTOCOL_3_2 = 196610;
    public static final int SSL_REQUEST_CODE = 80877103;
    public static final int CANCEL_REQUEST_CODE = 80877102;

    private Frontend() {
    }

    public static void startup(MessageWriter w, int protocol, Map<String, String> params) {
        w.beginUntyped().int32(protocol);
        for (Map.Entry<String, String> e : params.entrySet()) {
            w.cstring(e.getKey()).cstring(e.getValue());
        }
        w.int8(0).end();
    }

    public static void sslRequest(MessageWriter w) {
        w.beginUntyped().int32(SSL_REQUEST_CODE).end();
    }

    public static void cancelRequest(MessageWriter w, int pid, byte[] secretKey) {
        w.beginUntyped().int32(CANCEL_REQUEST_CODE).int32(pid).bytes(secretKey).end();
    }

    public static void password(MessageWriter w, byte[] password) {
        w.begin(FrontendMessage.PASSWORD).bytes(password).int8(0).end();
    }

    public static void saslInitialResponse(MessageWriter w, String mechanism, byte[] data) {
        w.begin(FrontendMessage.PASSWORD).cstring(mechanism).int32(data.length).bytes(data).end();
    }

    public static void saslResponse(MessageWriter w, byte[] data) {
        w.begin(FrontendMessage.PASSWORD).bytes(data).end();
    }

    public static void query(MessageWriter w, String sql) {
        w.begin(FrontendMessage.QUERY).cstring(sql).end();
    }

    public static void parse(MessageWriter w, String statement, String sql, int[] paramOids) {
        if (paramOids.length > 0xFFFF) { // counted in 16 bits: checked before anything is written
            throw new ProgrammingException("the statement has " + paramOids.length
                    + " parameters: the protocol allows at most 65535 in one statement; split it");
        }
        w.begin(FrontendMessage.PARSE).cstring(statement).cstring(sql).int16(paramOids.length);
        for (int oid : paramOids) {
            w.int32(oid);
        }
        w.end();
    }

    public static void describeStatement(MessageWriter w, String statement) {
        w.begin(FrontendMessage.DESCRIBE).int8(FrontendMessage.TARGET_STATEMENT).cstring(statement).end();
    }

    public static void describePortal(MessageWriter w, String portal) {
        w.begin(FrontendMessage.DESCRIBE).int8(FrontendMessage.TARGET_PORTAL).cstring(portal).end();
    }

    public static void execute(MessageWriter w, String portal, int maxRows) {
        w.begin(FrontendMessage.EXECUTE).cstring(portal).int32(maxRows).end();
    }

    public static void closeStatement(MessageWriter w, String statement) {
        w.begin(FrontendMessage.CLOSE).int8(FrontendMessage.TARGET_STATEMENT).cstring(statement).end();
    }

    public static void closePortal(MessageWriter w, String portal) {
        w.begin(FrontendMessage.CLOSE).int8(FrontendMessage.TARGET_PORTAL).cstring(portal).end();
    }

    public static void sync(MessageWriter w) {
        w.begin(FrontendMessage.SYNC).end();
    }

    public static void flush(MessageWriter w) {
        w.begin(FrontendMessage.FLUSH).end();
    }

    public static void terminate(MessageWriter w) {
        w.begin(FrontendMessage.TERMINATE).end();
    }

    public static void copyData(MessageWriter w, byte[] data, int off, int len) {
        w.begin(FrontendMessage.COPY_DATA).bytes(data, off, len).end();
    }

    public static void copyDone(MessageWriter w) {
        w.begin(FrontendMessage.COPY_DONE).end();
    }

    public static void copyFail(MessageWriter w, String reason) {
        w.begin(FrontendMessage.COPY_FAIL).cstring(reason).end();
    }
}
