package io.clickflow.stream;

import io.clickflow.tables.RejectedEvent;

/** {@link RejectedEventSerializer} against Flink's serializer contract, with every field null in turn. */
class RejectedEventSerializerTest extends HandWrittenSerializerTestBase<RejectedEvent> {
    RejectedEventSerializerTest() {
        super(RejectedEventSerializer.INSTANCE, RejectedEvent.class, new RejectedEvent[] {
            new RejectedEvent("ad_click", "ad_clicks", "0:1", "user_id is null", "{\"click_id\":\"c\"}"),
            new RejectedEvent("page_view", "views.jsonl", "3", "record is empty", ""),
            new RejectedEvent("page_view", "page_views", "0:9", "record has no value (null)", null),
            new RejectedEvent(null, null, null, null, null),
            new RejectedEvent("ad_click", "ad_clicks", "1:2", "not UTF-8", "caf\u00e9 \ud83d\ude00 \ufffd")
        });
    }
}
