package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;

/** Registers the families beyond the core scalars: interval, json, network, bits, geometry, pg_lsn, records, ranges. */
final class ExtraAdapters {
    private ExtraAdapters() {
    }

    static void register(AdaptersMap m) {
        IntervalAdapters.register(m);
        JsonAdapters.register(m);
        NetworkAdapters.register(m);
        Geometry.register(m);
        Lsn.register(m);
        RecordAdapters.register(m);
        RangeAdapters.register(m);
        EnumInfo.registerDefaults(m);
    }
}
