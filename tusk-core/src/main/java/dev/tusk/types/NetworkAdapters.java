package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * inet and cidr ↔ {@link Inet} ({@code InetAddress} dumps as inet); macaddr and macaddr8 → {@code String}
 * ({@code 08:00:2b:01:02:03}); bit and varbit ↔ {@link BitString}. Binary forms as inet_send
 * (family 2 = IPv4, 3 = IPv6; bits; is_cidr; address length; address), macaddr_send, bit_send
 * (int32 bit count, packed bits).
 */
public final class NetworkAdapters {
    private NetworkAdapters() {
    }

    static Inet inetBinary(ByteBuffer b) {
        int p = b.position();
        if (b.remaining() < 4) {
            throw new DataException("a binary inet has at least 4 bytes, got " + b.remaining());
        }
        int family = b.get(p) & 0xFF;
        int bits = b.get(p + 1) & 0xFF;
        int nb = b.get(p + 3) & 0xFF;
        Wire.expectLength(b, 4 + nb, "inet");
        byte[] addr = new byte[nb];
        b.get(p + 4, addr);
        if (family == 3 && nb == 16) { // PGSQL_AF_INET6: stays IPv6 even when IPv4-mapped
            return new Inet(Inet.ipv6(addr), bits);
        }
        try {
            return new Inet(InetAddress.getByAddress(addr), bits);
        } catch (UnknownHostException e) {
            throw new DataException("invalid binary inet address of " + nb + " bytes", e);
        }
    }

    static ByteBuffer inetBinary(Inet i, boolean cidr) {
        byte[] a = i.address().getAddress();
        ByteBuffer out = ByteBuffer.allocate(4 + a.length);
        out.put((byte) (i.address() instanceof Inet4Address ? 2 : 3)).put((byte) i.prefix()).put((byte) (cidr ? 1 : 0))
                .put((byte) a.length).put(a);
        return out.flip();
    }

    static String mac(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        for (int i = b.position(); i < b.limit(); i++) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", b.get(i) & 0xFF));
        }
        return sb.toString();
    }

    static void register(AdaptersMap m) {
        for (int oid : new int[] {BuiltinTypes.INET, BuiltinTypes.CIDR}) {
            m.registerLoader(oid, Codecs.textLoader(Inet::parse));
            m.registerLoader(oid, Codecs.binaryLoader(NetworkAdapters::inetBinary));
        }
        m.registerDumper(Inet.class, Codecs.<Inet>textDumper(BuiltinTypes.INET, Inet::toString));
        m.registerDumper(Inet.class, Codecs.<Inet>dumper(BuiltinTypes.INET, Format.BINARY, i -> inetBinary(i, false)));
        m.registerDumper(InetAddress.class, Codecs.<InetAddress>textDumper(BuiltinTypes.INET, a -> Inet.of(a).toString()));
        m.registerDumper(InetAddress.class, Codecs.<InetAddress>dumper(BuiltinTypes.INET, Format.BINARY,
                a -> inetBinary(Inet.of(a), false)));

        for (int oid : new int[] {BuiltinTypes.MACADDR, BuiltinTypes.MACADDR8}) {
            m.registerLoader(oid, TextAdapters.TEXT);
            m.registerLoader(oid, Codecs.binaryLoader(NetworkAdapters::mac));
        }
        MacAddress.register(m);

        for (int oid : new int[] {BuiltinTypes.BIT, BuiltinTypes.VARBIT}) {
            m.registerLoader(oid, Codecs.textLoader(BitString::parse));
            m.registerLoader(oid, Codecs.binaryLoader(b -> {
                int len = b.getInt(b.position());
                byte[] packed = new byte[b.remaining() - 4];
                b.get(b.position() + 4, packed);
                return BitString.of(packed, len);
            }));
        }
        m.registerDumper(BitString.class, Codecs.<BitString>textDumper(BuiltinTypes.VARBIT, BitString::toString));
        m.registerDumper(BitString.class, Codecs.<BitString>dumper(BuiltinTypes.VARBIT, Format.BINARY, s -> {
            byte[] p = s.toByteArray();
            return ByteBuffer.allocate(4 + p.length).putInt(s.length()).put(p).flip();
        }));
    }
}
