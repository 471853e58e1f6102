package dev.tusk.internal.conninfo;

/**
 * One libpq connection keyword: its name, the environment variable that supplies it when the connection string
 * does not (null when there is none), and libpq's compiled-in default (null when there is none).
 */
public record Keyword(String name, String envVar, String compiledDefault) {
}
