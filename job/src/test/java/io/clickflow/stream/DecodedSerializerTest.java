package io.clickflow.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.decode.Decoded;
import io.clickflow.tables.RejectedEvent;

import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

import java.util.Objects;

/** {@link DecodedSerializer} against Flink's serializer contract: events, rejections, and neither. */
class DecodedSerializerTest extends HandWrittenSerializerTestBase<Decoded<String>> {
    private static final DecodedSerializer<String> STRINGS = new DecodedSerializer<>(StringSerializer.INSTANCE);

    DecodedSerializerTest() {
        super(
                new DeeplyEqualsChecker()
                        .withCustomCheck(
                                (a, b) -> a instanceof Decoded && b instanceof Decoded,
                                (a, b, checker) -> checker.deepEquals(((Decoded<?>) a).event, ((Decoded<?>) b).event)
                                        && Objects.equals(((Decoded<?>) a).rejected, ((Decoded<?>) b).rejected)),
                STRINGS,
                Decoded.class,
                data());
    }

    @SuppressWarnings("unchecked")
    private static Decoded<String>[] data() {
        return new Decoded[] {
            Decoded.of("an event"),
            Decoded.of(""),
            Decoded.rejected(new RejectedEvent("ad_click", "ad_clicks", "0:1", "user_id is null", "{}")),
            Decoded.rejected(new RejectedEvent("page_view", "page_views", "0:9", "no value", null)),
            new Decoded<String>()
        };
    }

    @Test
    void copiesHoldCopiesOfTheRejection() {
        Decoded<String> rejected =
                Decoded.rejected(new RejectedEvent("ad_click", "ad_clicks", "0:1", "user_id is null", "{}"));
        Decoded<String> copy = STRINGS.copy(rejected);
        assertThat(copy.rejected).isNotSameAs(rejected.rejected).isEqualTo(rejected.rejected);
        copy.rejected.reason = "changed";
        assertThat(rejected.rejected.reason).isEqualTo("user_id is null");
    }

    @Test
    void aDifferentEventSerializerIsADifferentSerializerAndNotCompatible() {
        DecodedSerializer<Long> longs = new DecodedSerializer<>(LongSerializer.INSTANCE);
        assertThat(STRINGS).isNotEqualTo(longs);
        assertThat(DecodedSerializer.typeOf(StringSerializer.INSTANCE))
                .isEqualTo(DecodedSerializer.typeOf(StringSerializer.INSTANCE))
                .isNotEqualTo(DecodedSerializer.typeOf(LongSerializer.INSTANCE));

        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<Decoded<String>> old = (TypeSerializerSnapshot) longs.snapshotConfiguration();
        TypeSerializerSchemaCompatibility<Decoded<String>> compatibility =
                STRINGS.snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isIncompatible()).isTrue();
    }
}
