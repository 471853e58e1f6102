package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files libpq takes: certificates ({@code sslrootcert}, {@code sslcert}), CRLs
 * ({@code sslcrl}) and private keys ({@code sslkey}: PKCS#8, PKCS#8 encrypted with {@code sslpassword},
 * PKCS#1 RSA and SEC1 EC).
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private Pem() {
    }

    static List<X509Certificate> certificates(Path file, String keyword) {
        try (var in = Files.newInputStream(file)) {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (var c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new OperationalException(keyword + " file \"" + file + "\" holds no certificate");
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new OperationalException("cannot read " + keyword + " file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    static Collection<? extends CRL> crls(Path file) {
        try (var in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCRLs(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new OperationalException("cannot read sslcrl file \"" + file + "\": " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(Path file, String password) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new OperationalException("cannot read sslkey file \"" + file + "\": " + e.getMessage(), e);
        }
        Matcher m = BLOCK.matcher(text);
        if (!m.find()) {
            throw new OperationalException("sslkey file \"" + file + "\" holds no PEM private key");
        }
        String type = m.group(1);
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        try {
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> pkcs8(wrapPkcs1(der, RSA_OID, null));
                case "EC PRIVATE KEY" -> pkcs8(wrapPkcs1(der, EC_OID, ecCurve(der)));
                case "ENCRYPTED PRIVATE KEY" -> pkcs8(decrypt(der, password, file));
                default -> throw new OperationalException("sslkey file \"" + file + "\": unsupported PEM block \"" + type
                        + "\" (use PKCS#8, encrypted PKCS#8, or PKCS#1)");
            };
        } catch (GeneralSecurityException | IOException e) {
            throw new OperationalException("cannot read the private key in \"" + file + "\": " + e.getMessage(), e);
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    private static byte[] decrypt(byte[] der, String password, Path file) throws IOException, GeneralSecurityException {
        if (password == null) {
            throw new OperationalException("sslkey file \"" + file + "\" is encrypted: give its password with sslpassword");
        }
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        // for PBES2 the parameters name the real scheme (e.g. PBEWithHmacSHA256AndAES_256)
        String alg = info.getAlgParameters() != null ? info.getAlgParameters().toString() : info.getAlgName();
        SecretKeyFactory factory = SecretKeyFactory.getInstance(alg);
        Cipher cipher = Cipher.getInstance(alg);
        cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password.toCharArray())), info.getAlgParameters());
        try {
            return info.getKeySpec(cipher).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new OperationalException("cannot decrypt sslkey file \"" + file + "\": wrong sslpassword?", e);
        }
    }

    // ---- PKCS#1 / SEC1 → PKCS#8: PrivateKeyInfo ::= SEQUENCE { 0, AlgorithmIdentifier, OCTET STRING key }

    private static final byte[] RSA_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private static byte[] wrapPkcs1(byte[] key, byte[] algorithmOid, byte[] parameters) {
        byte[] params = parameters != null ? parameters : new byte[] {0x05, 0x00}; // NULL for RSA
        byte[] algorithm = tlv(0x30, concat(algorithmOid, params));
        byte[] version = {0x02, 0x01, 0x00};
        return tlv(0x30, concat(version, algorithm, tlv(0x04, key)));
    }

    /** The named-curve OID inside a SEC1 ECPrivateKey ([0] parameters). */
    private static byte[] ecCurve(byte[] sec1) {
        for (int i = 0; i + 1 < sec1.length; i++) {
            if ((sec1[i] & 0xff) == 0xa0) {
                int len = sec1[i + 1] & 0xff;
                byte[] oid = new byte[len];
                System.arraycopy(sec1, i + 2, oid, 0, len);
                if (oid.length > 0 && oid[0] == 0x06) {
                    return oid;
                }
            }
        }
        throw new OperationalException("EC private key without a named curve");
    }

    private static byte[] tlv(int tag, byte[] value) {
        int n = value.length;
        byte[] length;
        if (n < 0x80) {
            length = new byte[] {(byte) n};
        } else if (n < 0x100) {
            length = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        return concat(new byte[] {(byte) tag}, length, value);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
