package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An inet or cidr value: an address and a network prefix length.
 *
 * <pre>{@code
 * Inet net = Inet.parse("10.0.0.0/8");   // net.address() = 10.0.0.0, net.prefix() = 8
 * }</pre>
 *
 * @param address the host or network address
 * @param prefix  the netmask length: 0..32 for IPv4, 0..128 for IPv6
 */
public record Inet(InetAddress address, int prefix) {
    public Inet {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            throw new DataException("invalid prefix /" + prefix + " for " + address.getHostAddress());
        }
    }

    /** A host address with the full prefix. */
    public static Inet of(InetAddress address) {
        return new Inet(address, address instanceof Inet4Address ? 32 : 128);
    }

    /** Parses {@code addr} or {@code addr/prefix} (numeric addresses only: no name lookup). */
    public static Inet parse(String s) {
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw Wire.bad("inet", s);
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            return slash < 0 ? of(a) : new Inet(a, Integer.parseInt(s.substring(slash + 1)));
        } catch (UnknownHostException | NumberFormatException e) {
            throw Wire.bad("inet", s, e);
        }
    }

    /** PostgreSQL's inet text: the prefix is omitted when it covers the whole address. */
    @Override
    public String toString() {
        int max = address instanceof Inet4Address ? 32 : 128;
        String a = address.getHostAddress();
        int pct = a.indexOf('%');
        if (pct >= 0) {
            a = a.substring(0, pct);
        }
        return prefix == max ? a : a + "/" + prefix;
    }
}
