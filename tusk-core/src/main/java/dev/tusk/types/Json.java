package dev.tusk.types;

import java.util.Objects;

/**
 * A JSON document sent as PostgreSQL {@code json}: the text is passed as is, never parsed by Tusk.
 *
 * <pre>{@code
 * conn.execute("INSERT INTO events (data) VALUES (%s)", new Json("{\"a\": 1}"));
 * }</pre>
 *
 * @param text the JSON text
 */
public record Json(String text) {
    public Json {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
