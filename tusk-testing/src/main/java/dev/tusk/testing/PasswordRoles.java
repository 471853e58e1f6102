package dev.tusk.testing;

/**
 * The login roles whose passwords the servers enforce, one per pg_hba.conf password method. Every other role is
 * trusted. The passwords are fixed so that failures are reproducible; they are no secret (test servers only).
 */
final class PasswordRoles {

    static final String SCRAM_USER = "tusk_scram";
    static final String SCRAM_PASSWORD = "scram-Secret-1";
    static final String MD5_USER = "tusk_md5";
    static final String MD5_PASSWORD = "md5-Secret-1";
    static final String CLEARTEXT_USER = "tusk_password";
    static final String CLEARTEXT_PASSWORD = "cleartext-Secret-1";

    private PasswordRoles() {
    }

    /** pg_hba.conf lines (before the catch-all trust lines) that make the three roles use their methods. */
    static String hbaLines() {
        StringBuilder out = new StringBuilder();
        addRole(out, SCRAM_USER, "scram-sha-256");
        addRole(out, MD5_USER, "md5");
        addRole(out, CLEARTEXT_USER, "password");
        return out.toString();
    }

    /**
     * SQL that creates (or resets) the roles. The md5 role's password is stored as an md5 hash: with a SCRAM
     * verifier the server would answer the md5 method with a SCRAM exchange instead.
     */
    static String setupSql(int serverVersion) {
        String createIfMissing = "DO $$ BEGIN\n"
                + createRole(SCRAM_USER) + createRole(MD5_USER) + createRole(CLEARTEXT_USER)
                + "END $$;\n";
        return createIfMissing
                + "SET password_encryption = 'scram-sha-256';\n"
                + "ALTER ROLE " + SCRAM_USER + " PASSWORD " + AbstractServer.quoteLiteral(SCRAM_PASSWORD) + ";\n"
                + "ALTER ROLE " + CLEARTEXT_USER + " PASSWORD " + AbstractServer.quoteLiteral(CLEARTEXT_PASSWORD) + ";\n"
                + "SET password_encryption = 'md5';\n"
                + (serverVersion >= 180000 ? "SET md5_password_warnings = off;\n" : "")
                + "ALTER ROLE " + MD5_USER + " PASSWORD " + AbstractServer.quoteLiteral(MD5_PASSWORD) + ";\n"
                + "RESET password_encryption;\n";
    }

    /** Lets the roles create objects in a database's public schema (PostgreSQL 15+ no longer grants that to PUBLIC). */
    static String grantSql() {
        return "GRANT CREATE ON SCHEMA public TO " + SCRAM_USER + ", " + MD5_USER + ", " + CLEARTEXT_USER;
    }

    private static String createRole(String name) {
        return "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + name + "') THEN CREATE ROLE " + name
                + " LOGIN; END IF;\n";
    }

    private static void addRole(StringBuilder out, String role, String method) {
        out.append("local  all  ").append(role).append("  ").append(method).append('\n');
        out.append("host   all  ").append(role).append("  127.0.0.1/32  ").append(method).append('\n');
        out.append("host   all  ").append(role).append("  ::1/128  ").append(method).append('\n');
    }
}
