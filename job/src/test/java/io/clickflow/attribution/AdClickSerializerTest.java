package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.stream.HandWrittenSerializerTestBase;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.junit.jupiter.api.Test;

/** {@link AdClickSerializer} against Flink's serializer contract, with null and non-ASCII ids. */
class AdClickSerializerTest extends HandWrittenSerializerTestBase<AdClick> {
    private static final long CLICK_TIME = 1_704_111_000_000L;

    AdClickSerializerTest() {
        super(AdClickSerializer.INSTANCE, AdClick.class, new AdClick[] {
            new AdClick("c1", "u1", "k1", CLICK_TIME),
            new AdClick("", "", "", 0L),
            new AdClick(null, "u1", null, -1L),
            new AdClick(null, null, null, Long.MAX_VALUE),
            new AdClick("c\u00e9\ud83d\ude00", "u".repeat(300), "k", Long.MIN_VALUE)
        });
    }

    @Test
    void theSnapshotOfAnotherRecordSerializerIsIncompatible() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<AdClick> views =
                (TypeSerializerSnapshot) PageViewSerializer.INSTANCE.snapshotConfiguration();
        assertThat(AdClickSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(views)
                        .isIncompatible())
                .isTrue();
    }
}
