package io.clickflow.records;

import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink type information of the generic envelopes, resolved once so no operator falls back to Kryo. */
public final class RecordTypes {
    private RecordTypes() {}

    public static final TypeInformation<Decoded<AdClick>> DECODED_CLICK = TypeInformation.of(new TypeHint<Decoded<AdClick>>() {});
    public static final TypeInformation<Decoded<PageView>> DECODED_PAGE_VIEW = TypeInformation.of(new TypeHint<Decoded<PageView>>() {});
    public static final TypeInformation<Decoded<Frame>> DECODED_FRAME = TypeInformation.of(new TypeHint<Decoded<Frame>>() {});
}
