package io.clickflow.uniques;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;

import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Decodes frames: JSON objects with a root-level {@code uid} (string) and {@code ts} (unix seconds, or
 * epoch milliseconds, as a number or digit string), among any other keys; {@code uid}/{@code ts} inside
 * nested objects and arrays are skipped unread.
 */
public final class FrameDecoder extends JsonEventDecoder<Frame> {
    private static final long serialVersionUID = 1L;

    /** Flink's type of this decoder's output, resolved once so no operator falls back to Kryo. */
    public static final TypeInformation<Decoded<Frame>> TYPE = TypeInformation.of(new TypeHint<Decoded<Frame>>() {});

    /** The stream name in rejected_events and late_events. */
    public static final String STREAM = "frame";

    public FrameDecoder() {
        super(STREAM, TimeField.TS, "uid");
    }

    @Override
    protected Frame build(String[] ids, long eventTime) {
        return new Frame(ids[0], eventTime);
    }
}
