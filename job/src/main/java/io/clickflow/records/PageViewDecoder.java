package io.clickflow.records;

/** Decodes {@code {"page_view_id", "user_id", "event_time", ...}} records; other fields are ignored. */
public final class PageViewDecoder extends JsonEventDecoder<PageView> {
    private static final long serialVersionUID = 1L;

    public PageViewDecoder() {
        super(LateEvent.PAGE_VIEW, "page_view_id", "user_id");
    }

    @Override
    protected PageView build(String[] ids, long eventTime) {
        return new PageView(ids[0], ids[1], eventTime);
    }
}
