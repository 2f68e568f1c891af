package io.clickflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.analytics.UserAction;
import io.clickflow.analytics.UserActionDecoder;
import io.clickflow.attribution.AdClick;
import io.clickflow.attribution.AdClickDecoder;
import io.clickflow.attribution.AdClickSerializer;
import io.clickflow.attribution.PageView;
import io.clickflow.attribution.PageViewDecoder;
import io.clickflow.attribution.PageViewSerializer;
import io.clickflow.attribution.PendingPageView;
import io.clickflow.attribution.UserAttributionState;
import io.clickflow.counting.CountProgress;
import io.clickflow.counting.CountTotal;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.route.Destination;
import io.clickflow.route.KafkaRecord;
import io.clickflow.stream.DecodedSerializer;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.HourlyStats;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.RejectedEvent;
import io.clickflow.tables.UniqueUsers;
import io.clickflow.uniques.Frame;
import io.clickflow.uniques.FrameDecoder;
import io.clickflow.uniques.ShardProgress;
import io.clickflow.uniques.WindowTotal;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves that every record class is a Flink POJO (state and the SQL peer rely on it) and that no decoded envelope is
 * serialized by Kryo: attribution's have hand-written serializers, the others are POJOs of POJOs.
 */
class PojoSerializationTest {

    @ParameterizedTest
    @ValueSource(
            classes = {
                AdClick.class,
                PageView.class,
                AttributedPageView.class,
                RejectedEvent.class,
                LateEvent.class,
                PendingPageView.class,
                UserAttributionState.class,
                Frame.class,
                WindowedUser.class,
                ShardCount.class,
                UniqueUsers.class,
                ShardProgress.class,
                WindowTotal.class,
                UserAction.class,
                HourlyStats.class,
                CountProgress.class,
                CountTotal.class,
                KafkaRecord.class,
                Destination.class
            })
    void isSerializedAsPojo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojo(type);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }

    @Test
    void decodedClicksHaveTheirHandWrittenSerializer() throws IOException {
        assertThat(AdClickDecoder.TYPE.createSerializer(new SerializerConfigImpl()))
                .isEqualTo(new DecodedSerializer<>(AdClickSerializer.INSTANCE));
        roundTrip(AdClickDecoder.TYPE, Decoded.of(new AdClick("c", "u", "k", 1_704_111_000_000L)));
        roundTrip(
                AdClickDecoder.TYPE,
                Decoded.rejected(new RejectedEvent("ad_click", "ad_clicks", "0:1", "user_id is null", "{}")));
    }

    @Test
    void decodedPageViewsHaveTheirHandWrittenSerializer() throws IOException {
        assertThat(PageViewDecoder.TYPE.createSerializer(new SerializerConfigImpl()))
                .isEqualTo(new DecodedSerializer<>(PageViewSerializer.INSTANCE));
        roundTrip(PageViewDecoder.TYPE, Decoded.of(new PageView("p", "u", 1_704_111_000_000L)));
        roundTrip(
                PageViewDecoder.TYPE,
                Decoded.rejected(new RejectedEvent("page_view", "views.jsonl", "3", "record is empty", "")));
        roundTrip(
                PageViewDecoder.TYPE,
                Decoded.rejected(
                        new RejectedEvent("page_view", "page_views", "0:9", "record has no value (null)", null)));
    }

    @Test
    void decodedFrameIsAPojoOfPojos() throws IOException {
        assertPojoOfPojos(FrameDecoder.TYPE, Frame.class);
        roundTrip(FrameDecoder.TYPE, Decoded.of(new Frame("1f2e3d4c5b6a7980112", 1_704_111_000_000L)));
    }

    @Test
    void decodedUserActionIsAPojoOfPojos() throws IOException {
        assertPojoOfPojos(UserActionDecoder.TYPE, UserAction.class);
        roundTrip(UserActionDecoder.TYPE, Decoded.of(new UserAction("alice", 1_700_000_000_000L, true)));
    }

    private static void assertPojoOfPojos(TypeInformation<?> type, Class<?> eventClass) {
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) type;
        assertThat(pojo.getTypeClass()).isEqualTo(Decoded.class);
        assertThat(pojo.getFieldNames()).containsExactlyInAnyOrder("event", "rejected");

        TypeInformation<?> event = pojo.getTypeAt("event");
        assertThat(event).isInstanceOf(PojoTypeInfo.class).isEqualTo(TypeInformation.of(eventClass));
        TypeInformation<?> rejected = pojo.getTypeAt("rejected");
        assertThat(rejected).isInstanceOf(PojoTypeInfo.class).isEqualTo(TypeInformation.of(RejectedEvent.class));
        assertThat(((PojoTypeInfo<?>) rejected).getTypeAt("payload")).isEqualTo(BasicTypeInfo.STRING_TYPE_INFO);
        assertThat(((PojoTypeInfo<?>) event).getTypeAt("eventTime")).isEqualTo(BasicTypeInfo.LONG_TYPE_INFO);

        List<String> generic = new ArrayList<>();
        collectGeneric(type, "Decoded", generic);
        assertThat(generic).as("fields serialized by Kryo").isEmpty();
    }

    private static void collectGeneric(TypeInformation<?> type, String path, List<String> out) {
        if (type instanceof GenericTypeInfo) {
            out.add(path + ": " + type);
        }
        if (type instanceof CompositeType<?> composite) {
            for (String name : composite.getFieldNames()) {
                collectGeneric(composite.getTypeAt(name), path + "." + name, out);
            }
        }
    }

    /** Serializes with generic types disabled, so a Kryo fallback anywhere would fail here. */
    private static <T> void roundTrip(TypeInformation<T> type, T value) throws IOException {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = type.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(copy).usingRecursiveComparison().isEqualTo(value);
        assertThat(serializer.copy(value)).usingRecursiveComparison().isEqualTo(value);
    }
}
