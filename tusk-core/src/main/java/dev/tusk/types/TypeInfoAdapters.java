package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.TypeInfo;

/** The adapters {@link TypeInfo#register} adds for a fetched type, by kind. */
public final class TypeInfoAdapters {
    private TypeInfoAdapters() {
    }

    public static void register(TypeInfo info, AdaptersMap m) {
        RangeAdapters.registerLoaders(m, info);
        if (info.kind() == TypeInfo.Kind.ENUM) {
            EnumInfo.registerLabelLoaders(m, info);
        } else if (info.kind() == TypeInfo.Kind.COMPOSITE) {
            CompositeInfo.registerObjectArrayLoaders(m, info);
        } else if (HstoreAdapters.isHstore(info)) {
            HstoreAdapters.registerCodecs(info, m);
        }
        ArrayAdapters.registerArrayOf(m, info);
    }
}
