package dev.tusk.internal.core;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.SqlState;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.util.Map;

/**
 * The startup conversation: StartupMessage, the authentication exchange (delegated to an
 * {@link Authenticator}), BackendKeyData, parameter statuses, up to the first ReadyForQuery.
 */
public final class Startup extends Command {
    /** The code of AuthenticationOk; any other code of an Authentication message is a request for the authenticator. */
    private static final int AUTHENTICATION_OK = 0;

    private final int protocol;
    private final Map<String, String> params;
    private final Authenticator auth;
    private int negotiatedMinor = -1;

    public Startup(int protocol, Map<String, String> params, Authenticator auth) {
        this.protocol = protocol;
        this.params = params;
        this.auth = auth;
    }

    @Override
    public void encode(MessageWriter out) {
        Frontend.startup(out, protocol, params);
    }

    /** The minor version the server offered in NegotiateProtocolVersion, or -1 if it accepted ours. */
    public int negotiatedMinor() {
        return negotiatedMinor;
    }

    @Override
    protected boolean handle(int type, Payload p, ProtocolCore core) {
        switch (type) {
            case BackendMessage.AUTHENTICATION -> {
                int code = p.int32();
                if (code != AUTHENTICATION_OK) {
                    auth.onRequest(code, p, core.output());
                } else {
                    auth.onSuccess();
                }
            }
            case BackendMessage.BACKEND_KEY_DATA -> {
                int pid = p.int32();
                int keyLen = p.remaining();
                if (keyLen < 4 || keyLen > 256) {
                    throw new OperationalException("protocol violation: cancel key of " + keyLen + " bytes");
                }
                core.backendKey(pid, p.rest());
            }
            case BackendMessage.NEGOTIATE_PROTOCOL_VERSION -> {
                negotiatedMinor = p.int32();
                int n = p.int32();
                for (int i = 0; i < n && p.remaining() > 0; i++) {
                    p.cstring();
                }
            }
            case BackendMessage.ERROR_RESPONSE -> {
                fail(auth.describeFailure(SqlState.create(Diagnostics.parse(p))));
                return true; // the server closes the connection after a startup error
            }
            case BackendMessage.READY_FOR_QUERY -> {
                core.transactionStatus((char) p.int8());
                core.session().protocolVersion(negotiatedMinor >= 0 ? (3 << 16) | negotiatedMinor : protocol);
                return true;
            }
            default -> throw new OperationalException("protocol violation: unexpected message '" + (char) type
                    + "' during startup");
        }
        return false;
    }
}
