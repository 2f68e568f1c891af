package io.clickflow.attribution;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.stream.DecodedSerializer;
import io.clickflow.tables.LateEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Decodes {@code {"page_view_id", "user_id", "event_time", "url"?, ...}} records; the attribution seed's
 * {@code event_id} is the id when {@code page_view_id} is absent. Other fields are ignored.
 */
public final class PageViewDecoder extends JsonEventDecoder<PageView> {
    private static final long serialVersionUID = 1L;

    /** Flink's type of this decoder's output, with hand-written serializers rather than reflective ones. */
    public static final TypeInformation<Decoded<PageView>> TYPE = DecodedSerializer.typeOf(PageViewSerializer.INSTANCE);

    public PageViewDecoder() {
        super(
                LateEvent.PAGE_VIEW,
                TimeField.EVENT_TIME,
                new String[] {"page_view_id|event_id", "user_id"},
                new String[] {"url"});
    }

    @Override
    protected PageView build(String[] ids, long eventTime) {
        return new PageView(ids[0], ids[1], eventTime, ids[2]);
    }
}
