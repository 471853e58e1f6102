package dev.tusk.internal.connect;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * HMAC-SHA-256 and SHA-256 for SCRAM, each a copy of one instance looked up once per process: {@code Mac.getInstance}
 * and {@code MessageDigest.getInstance} search the security providers and build the engine by reflection on every
 * call, six times per SCRAM login before (a reconnect's only crypto once {@link ScramKeyCache} holds the salted
 * password). A provider whose engine cannot be copied is looked up on every call, as before.
 */
final class Sha256 {
    private static final String HMAC = "HmacSHA256";
    private static final Mac HMAC_PROTOTYPE = prototypeMac();
    private static final MessageDigest DIGEST_PROTOTYPE = prototypeDigest();

    private Sha256() {
    }

    /** A new HMAC-SHA-256 keyed with {@code key} (an empty key is one zero byte: HMAC pads keys with zeros). */
    static Mac hmac(byte[] key) {
        Mac mac;
        try {
            mac = HMAC_PROTOTYPE != null ? (Mac) HMAC_PROTOTYPE.clone() : Mac.getInstance(HMAC);
            // SecretKeySpec refuses an empty key; HMAC pads keys with zeros, so one zero byte is the same key
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, HMAC));
        } catch (CloneNotSupportedException | GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
        return mac;
    }

    /** HMAC-SHA-256 of {@code data} under {@code key}. */
    static byte[] hmac(byte[] key, byte[] data) {
        return hmac(key).doFinal(data);
    }

    /** SHA-256 of {@code b}. */
    static byte[] digest(byte[] b) {
        try {
            MessageDigest md = DIGEST_PROTOTYPE != null ? (MessageDigest) DIGEST_PROTOTYPE.clone()
                    : MessageDigest.getInstance("SHA-256");
            return md.digest(b);
        } catch (CloneNotSupportedException | GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The engine to copy, its provider chosen (the first copy chooses it); null when it cannot be copied. */
    private static Mac prototypeMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.clone();
            return mac;
        } catch (CloneNotSupportedException | GeneralSecurityException e) {
            return null;
        }
    }

    private static MessageDigest prototypeDigest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.clone();
            return md;
        } catch (CloneNotSupportedException | GeneralSecurityException e) {
            return null;
        }
    }
}
