package dev.tusk.internal.connect;

import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.observe.Observer;

/**
 * A connected, authenticated session, as {@link Connector} and {@link AsyncConnector} hand it to the connection they
 * made: the driver that waits on it ({@code D}: a {@code BlockingDriver} or an {@code EventLoopDriver}), its protocol
 * core, where it is (the host and parameters it was made with, whether over TLS: what its info shows and a cancel
 * request needs) and who hears of its events ({@code observer}, or null: nobody listens).
 */
public record EstablishedSession<D>(D driver, ProtocolCore core, boolean tls, HostSpec host, ConnParams params,
                                    Observer observer) {
}
