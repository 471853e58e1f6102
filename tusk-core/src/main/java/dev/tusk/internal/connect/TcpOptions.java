package dev.tusk.internal.connect;

import dev.tusk.internal.conninfo.ConnParams;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;

/**
 * libpq's TCP keywords on a socket: {@code keepalives} (on unless "0"), {@code keepalives_idle},
 * {@code keepalives_interval}, {@code keepalives_count} (seconds and probes; unset or 0 keeps the
 * system default). {@code tcp_user_timeout} has no JDK socket option, so a non-zero value is reported
 * once through {@link System.Logger} and otherwise has no effect.
 */
final class TcpOptions {
    private static final System.Logger LOG = System.getLogger("dev.tusk.connect");
    private static volatile boolean userTimeoutReported;

    private TcpOptions() {
    }

    static void apply(Socket s, ConnParams params) throws IOException {
        s.setTcpNoDelay(true);
        boolean keepalive = !"0".equals(params.get("keepalives"));
        s.setKeepAlive(keepalive);
        applyKeepalives(params, new OptionSetter() {
            @Override
            public boolean supports(SocketOption<Integer> option) {
                return s.supportedOptions().contains(option);
            }

            @Override
            public void set(SocketOption<Integer> option, int value) throws IOException {
                s.setOption(option, value);
            }
        });
    }

    /** The same keywords on an AsyncConnection's channel (TCP_NODELAY and SO_KEEPALIVE are set when it opens). */
    static void apply(NetworkChannel ch, ConnParams params) throws IOException {
        applyKeepalives(params, new OptionSetter() {
            @Override
            public boolean supports(SocketOption<Integer> option) {
                return ch.supportedOptions().contains(option);
            }

            @Override
            public void set(SocketOption<Integer> option, int value) throws IOException {
                ch.setOption(option, value);
            }
        });
    }

    /** A Socket or a NetworkChannel: both have setOption, without a common interface. */
    private interface OptionSetter {
        boolean supports(SocketOption<Integer> option);

        void set(SocketOption<Integer> option, int value) throws IOException;
    }

    private static void applyKeepalives(ConnParams params, OptionSetter target) throws IOException {
        if (!"0".equals(params.get("keepalives"))) {
            set(target, ExtendedSocketOptions.TCP_KEEPIDLE, params.get("keepalives_idle"));
            set(target, ExtendedSocketOptions.TCP_KEEPINTERVAL, params.get("keepalives_interval"));
            set(target, ExtendedSocketOptions.TCP_KEEPCOUNT, params.get("keepalives_count"));
        }
        warnUserTimeout(params);
    }

    private static void warnUserTimeout(ConnParams params) {
        String userTimeout = params.get("tcp_user_timeout");
        if (userTimeout != null && !userTimeout.isBlank() && !"0".equals(userTimeout.trim()) && !userTimeoutReported) {
            userTimeoutReported = true;
            LOG.log(System.Logger.Level.WARNING, "tcp_user_timeout=" + userTimeout + " is ignored: the JDK offers no"
                    + " TCP_USER_TIMEOUT socket option; use keepalives_* or a statement timeout to detect dead peers");
        }
    }

    private static void set(OptionSetter target, SocketOption<Integer> option, String value) throws IOException {
        if (value == null || value.isBlank()) {
            return;
        }
        int v = Integer.parseInt(value.trim());
        if (v > 0 && target.supports(option)) {
            target.set(option, v);
        }
    }
}
