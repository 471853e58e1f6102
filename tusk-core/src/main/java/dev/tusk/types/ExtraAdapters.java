package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;

/** Registers the families beyond the core scalars: interval, json, network, bits, ranges. */
final class ExtraAdapters {
    private ExtraAdapters() {
    }

    static void register(AdaptersMap m) {
        IntervalAdapters.register(m);
        JsonAdapters.register(m);
        NetworkAdapters.register(m);
        RangeAdapters.register(m);
        EnumInfo.registerDefaults(m);
    }
}
