package dev.tusk.adapt;

/**
 * Builds a {@link Loader} bound to one {@link AdaptersMap}: array, range and composite loaders find
 * their element loaders in the map the lookup happens in, so a connection's own element loader is used
 * for its arrays too. The result is cached per map until the map changes.
 *
 * <pre>{@code
 * adapters.registerLoaderFactory(1007, Format.TEXT, map -> new MyIntArrayLoader(map.loaderFor(23, Format.TEXT)));
 * }</pre>
 */
@FunctionalInterface
public interface LoaderFactory {
    Loader<?> create(AdaptersMap adapters);
}
