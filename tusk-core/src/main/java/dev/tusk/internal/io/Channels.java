package dev.tusk.internal.io;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/** Opens the socket channel of a connection, for both drivers. */
public final class Channels {
    private Channels() {
    }

    /**
     * A new channel of the family {@code address} needs: a Unix socket's, an IPv4 one for an IPv4 address (the JDK's
     * default is an IPv6 socket reaching it IPv4-mapped, one more system call a connect), else the default.
     */
    public static SocketChannel openFor(SocketAddress address) throws IOException {
        if (address instanceof UnixDomainSocketAddress) {
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        }
        if (address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet4Address) {
            return SocketChannel.open(StandardProtocolFamily.INET);
        }
        return SocketChannel.open();
    }
}
