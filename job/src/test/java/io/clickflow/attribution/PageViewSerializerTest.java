package io.clickflow.attribution;

import io.clickflow.stream.HandWrittenSerializerTestBase;

/** {@link PageViewSerializer} against Flink's serializer contract, with and without URLs and ids. */
class PageViewSerializerTest extends HandWrittenSerializerTestBase<PageView> {
    private static final long VIEW_TIME = 1_704_111_000_000L;

    PageViewSerializerTest() {
        super(PageViewSerializer.INSTANCE, PageView.class, new PageView[] {
            new PageView("p1", "u1", VIEW_TIME, "https://example.com/a?b=c"),
            new PageView("p2", "u1", VIEW_TIME + 1),
            new PageView(null, null, 0L, null),
            new PageView("", "", -1L, ""),
            new PageView("p\u00e9\ud83d\ude00", "u", Long.MAX_VALUE, "/".repeat(70_000))
        });
    }
}
