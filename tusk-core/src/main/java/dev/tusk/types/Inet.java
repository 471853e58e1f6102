package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An inet or cidr value: an address and a network prefix length.
 *
 * <pre>{@code
 * Inet net = Inet.parse("10.0.0.0/8");   // net.address() = 10.0.0.0, net.prefix() = 8
 * }</pre>
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.0}) stays an IPv6 value: {@code address} is then an
 * {@link Inet6Address} (not the {@code Inet4Address} {@code InetAddress.getByName} would make of it), the prefix
 * may go up to 128 and it goes back to the server as the same IPv6 value, as psycopg keeps an
 * {@code IPv6Address('::ffff:102:300')}.
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
            if (a instanceof Inet4Address && host.indexOf(':') >= 0) {
                a = mapped(a.getAddress()); // ::ffff:a.b.c.d: Java folds it to IPv4, PostgreSQL keeps it IPv6
            }
            return slash < 0 ? of(a) : new Inet(a, Integer.parseInt(s.substring(slash + 1)));
        } catch (UnknownHostException | NumberFormatException e) {
            throw Wire.bad("inet", s, e);
        }
    }

    /** The IPv6 address {@code ::ffff:a.b.c.d} of the four bytes of an IPv4 address. */
    static Inet6Address mapped(byte[] ipv4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xFF;
        a[11] = (byte) 0xFF;
        System.arraycopy(ipv4, 0, a, 12, 4);
        return ipv6(a);
    }

    /** An IPv6 address of 16 bytes, kept IPv6 even when they are IPv4-mapped. */
    static Inet6Address ipv6(byte[] sixteen) {
        try {
            return Inet6Address.getByAddress(null, sixteen, -1);
        } catch (UnknownHostException e) {
            throw new DataException("an IPv6 address has 16 bytes, got " + sixteen.length, e);
        }
    }

    /** Whether {@code a} is an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}). */
    private static boolean isMapped(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return false;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    /** PostgreSQL's inet text: the prefix is omitted when it covers the whole address. */
    @Override
    public String toString() {
        int max = address instanceof Inet4Address ? 32 : 128;
        String a;
        if (isMapped(address)) { // as PostgreSQL writes it; Inet6Address would write 0:0:0:0:0:ffff:102:300
            byte[] b = address.getAddress();
            a = "::ffff:" + (b[12] & 0xFF) + "." + (b[13] & 0xFF) + "." + (b[14] & 0xFF) + "." + (b[15] & 0xFF);
        } else {
            a = address.getHostAddress();
        }
        int pct = a.indexOf('%');
        if (pct >= 0) {
            a = a.substring(0, pct);
        }
        return prefix == max ? a : a + "/" + prefix;
    }
}
