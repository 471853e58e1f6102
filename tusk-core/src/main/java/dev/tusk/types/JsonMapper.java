package dev.tusk.types;

/**
 * Bridges a JSON library (Jackson, Gson, ...) to Tusk, which has none: {@link JsonAdapters#useMapper}
 * makes json/jsonb load through {@link #parse} and the given classes dump through {@link #write}.
 *
 * <pre>{@code
 * ObjectMapper om = new ObjectMapper();
 * JsonAdapters.useMapper(conn.adapters(), new JsonMapper() {
 *     public Object parse(String json) { return om.readValue(json, Object.class); }
 *     public String write(Object value) { return om.writeValueAsString(value); }
 * }, Map.class);
 * }</pre>
 */
public interface JsonMapper {
    /** The Java value of a JSON document. */
    Object parse(String json);

    /** The JSON text of a Java value. */
    String write(Object value);
}
