package dev.tusk.types;

import java.util.Objects;

/**
 * A JSON document sent as PostgreSQL {@code jsonb}.
 *
 * <pre>{@code
 * conn.execute("INSERT INTO docs (body) VALUES (%s)", new Jsonb("[1, 2, 3]"));
 * }</pre>
 *
 * @param text the JSON text
 */
public record Jsonb(String text) {
    public Jsonb {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
