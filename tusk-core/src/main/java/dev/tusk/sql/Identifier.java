package dev.tusk.sql;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.ProgrammingException;

import java.util.Arrays;
import java.util.List;

/**
 * A name (table, column, schema, function...), always written as a quoted identifier: psycopg's
 * {@code sql.Identifier}. Several parts make a qualified name joined by dots. Any character is allowed
 * except NUL; double quotes are doubled, so the name can never end the quoting early. Because the name
 * is quoted it is case-sensitive: {@code new Identifier("Users")} is {@code "Users"}, not {@code users}.
 *
 * <pre>{@code
 * new Identifier("app", "users").asString();     // "app"."users"
 * new Identifier("say \"hi\"").asString();        // "say ""hi"""
 * }</pre>
 */
public final class Identifier extends Composable {
    private final String[] parts;

    /**
     * A name of one or more parts.
     *
     * @throws dev.tusk.errors.ProgrammingException with no parts, or a part that is null, empty or contains NUL
     */
    public Identifier(String... parts) {
        if (parts == null || parts.length == 0) {
            throw new ProgrammingException("an Identifier needs at least one name part");
        }
        String[] copy = parts.clone();
        for (String p : copy) {
            Quoting.checkIdentifier(p);
        }
        this.parts = copy;
    }

    /** The unquoted parts. */
    public List<String> parts() {
        return List.of(parts);
    }

    @Override
    public boolean hasPlaceholders() {
        return false;
    }

    @Override
    void appendTo(StringBuilder out, AdaptersMap adapters, boolean doublePercent) {
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('.');
            }
            Quoting.appendIdentifier(out, parts[i], doublePercent);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identifier id && Arrays.equals(id.parts, parts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parts);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Identifier(");
        for (int i = 0; i < parts.length; i++) {
            b.append(i > 0 ? ", " : "").append(Quoting.javaString(parts[i]));
        }
        return b.append(')').toString();
    }
}
