package dev.tusk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away PKI made with the {@code openssl} command for the TLS tests: a CA, a server certificate for
 * {@code localhost} and {@code 127.0.0.1}, one for another name, an unknown CA, a client certificate (CN = a role
 * name) with its key as PKCS#8, PKCS#1 and encrypted PKCS#8, and a CRL revoking a second server certificate.
 */
final class TestCertificates {
    static final String CLIENT_ROLE = "tusk_cert";
    static final String KEY_PASSWORD = "key-secret";

    final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    static boolean opensslAvailable() {
        try {
            return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static TestCertificates create() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tusk-tls");
        TestCertificates c = new TestCertificates(dir);
        c.ca("ca", "Tusk Test CA");
        c.ca("other-ca", "Unknown CA");
        c.signed("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1", "ca");
        c.signed("wrong-host", "example.com", "subjectAltName=DNS:example.com", "ca");
        c.signed("revoked", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1", "ca");
        c.signed("client", CLIENT_ROLE, null, "ca");
        c.run("openssl", "rsa", "-in", "client.key", "-traditional", "-out", "client-pkcs1.key");
        c.run("openssl", "pkcs8", "-topk8", "-in", "client.key", "-v2", "aes-256-cbc", "-passout", "pass:" + KEY_PASSWORD,
                "-out", "client-encrypted.key");
        c.crl();
        return c;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    private void ca(String name, String cn) throws IOException, InterruptedException {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
                "-keyout", name + ".key", "-out", name + ".crt");
    }

    private void signed(String name, String cn, String extension, String ca) throws IOException, InterruptedException {
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", name + ".key", "-out", name + ".csr");
        List<String> cmd = new ArrayList<>(List.of("openssl", "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt",
                "-CAkey", ca + ".key", "-CAcreateserial", "-days", "2", "-out", name + ".crt"));
        if (extension != null) {
            Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
            cmd.addAll(List.of("-extfile", name + ".ext"));
        }
        run(cmd.toArray(new String[0]));
        Files.setPosixFilePermissions(dir.resolve(name + ".key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    private void crl() throws IOException, InterruptedException {
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("crlnumber"), "01\n");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ca]
                default_ca = test
                [test]
                database = index.txt
                crlnumber = crlnumber
                default_md = sha256
                default_crl_days = 2
                """, StandardCharsets.US_ASCII);
        run("openssl", "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.crt", "-revoke", "revoked.crt");
        run("openssl", "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.crt", "-gencrl", "-out", "ca.crl");
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
