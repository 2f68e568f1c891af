package io.clickflow.attribution;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.stream.DecodedSerializer;
import io.clickflow.tables.LateEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Decodes {@code {"click_id", "user_id", "campaign_id", "event_time"}} records. */
public final class AdClickDecoder extends JsonEventDecoder<AdClick> {
    private static final long serialVersionUID = 1L;

    /** Flink's type of this decoder's output, with hand-written serializers rather than reflective ones. */
    public static final TypeInformation<Decoded<AdClick>> TYPE = DecodedSerializer.typeOf(AdClickSerializer.INSTANCE);

    public AdClickDecoder() {
        super(LateEvent.AD_CLICK, "click_id", "user_id", "campaign_id");
    }

    @Override
    protected AdClick build(String[] ids, long eventTime) {
        return new AdClick(ids[0], ids[1], ids[2], eventTime);
    }
}
