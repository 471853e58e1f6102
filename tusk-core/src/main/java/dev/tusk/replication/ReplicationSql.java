package dev.tusk.replication;

import dev.tusk.errors.ProgrammingException;

/** Builds the text of replication commands. */
final class ReplicationSql {
    private ReplicationSql() {
    }

    /** Slot names as the server accepts them: lower-case letters, digits and underscores, at most 63 bytes. */
    static void checkSlotName(String name) {
        if (name == null || name.isEmpty() || name.length() > 63) {
            throw new ProgrammingException("invalid replication slot name " + (name == null ? "null" : "\"" + name + "\"")
                    + ": it needs 1 to 63 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                throw new ProgrammingException("invalid replication slot name \"" + name
                        + "\": only lower-case letters, digits and underscores are allowed");
            }
        }
    }

    /** A double-quoted identifier. */
    static String identifier(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** A single-quoted string literal. */
    static String literal(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new ProgrammingException("a replication option value cannot contain a NUL character");
        }
        return '\'' + s.replace("'", "''") + '\'';
    }
}
