package io.clickflow.records;

/** Decodes {@code {"click_id", "user_id", "campaign_id", "event_time"}} records. */
public final class AdClickDecoder extends JsonEventDecoder<AdClick> {
    private static final long serialVersionUID = 1L;

    public AdClickDecoder() {
        super(LateEvent.AD_CLICK, "click_id", "user_id", "campaign_id");
    }

    @Override
    protected AdClick build(String[] ids, long eventTime) {
        return new AdClick(ids[0], ids[1], ids[2], eventTime);
    }
}
