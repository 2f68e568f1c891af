package io.clickflow.attribution;

import io.clickflow.stream.HandWrittenSerializerTestBase;
import io.clickflow.tables.AttributedPageView;

/** {@link AttributedPageViewSerializer} against Flink's serializer contract: attributed or not, final or provisional. */
class AttributedPageViewSerializerTest extends HandWrittenSerializerTestBase<AttributedPageView> {
    private static final long VIEW_TIME = 1_704_111_000_000L;
    private static final long CLICK_TIME = VIEW_TIME - 60_000L;

    AttributedPageViewSerializerTest() {
        super(AttributedPageViewSerializer.INSTANCE, AttributedPageView.class, new AttributedPageView[] {
            new AttributedPageView("p1", "u1", VIEW_TIME, "/a", "k1", "c1", CLICK_TIME, true),
            new AttributedPageView("p1", "u1", VIEW_TIME, "/a", "k1", "c1", CLICK_TIME, false),
            new AttributedPageView("p2", "u1", VIEW_TIME, null, null, null, null, true),
            new AttributedPageView("p3", "u2", VIEW_TIME, null, null, null, null, false),
            new AttributedPageView("p4", "u2", VIEW_TIME, "", "", "", 0L, true),
            new AttributedPageView(null, null, Long.MIN_VALUE, null, "k\u00e9", null, Long.MAX_VALUE, false)
        });
    }
}
