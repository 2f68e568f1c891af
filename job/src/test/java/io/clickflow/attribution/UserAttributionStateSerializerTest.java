package io.clickflow.attribution;

import static io.clickflow.attribution.AttributionHarness.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * The hand-written serializer of the user's state: values come back equal, a copy is independent where the function
 * changes state, and state written by the POJO serializer of earlier releases restores (heap and RocksDB) and
 * attributes as if there had been no restore.
 */
class UserAttributionStateSerializerTest {
    static final long AT_12_00 = at("12:00");
    static final long AT_12_05 = at("12:05");
    static final long AT_12_10 = at("12:10");
    static final long AT_12_20 = at("12:20");
    static final long AT_12_30 = at("12:30");

    /** How releases before the hand-written serializer wrote the user's state. */
    static final TypeSerializer<UserAttributionState> POJO =
            TypeInformation.of(UserAttributionState.class).createSerializer(new SerializerConfigImpl());

    static AdClick click(String id, String user, String campaign, long t) {
        return new AdClick(id, user, campaign, t);
    }

    /** A state using every shape the format has: held, settled and own best clicks, nulls, a long non-ASCII URL. */
    static UserAttributionState everyShape() {
        UserAttributionState s = new UserAttributionState();
        AdClick recent = click("c2", "u1", "B", AT_12_10);
        AdClick settled = click("c1", "u1", null, AT_12_05);
        s.recentClicks = new AdClick[] {recent, click("c3", "u-other", "C", AT_12_10 + 1)};
        s.settledClick = settled;
        s.pendingViews = new PendingPageView[] {
            new PendingPageView(
                    new PageView("pv1", "u1", AT_12_20, "https://example.com/é?" + "x".repeat(300)), recent),
            new PendingPageView(new PageView("pv2", "u1", AT_12_20), settled),
            new PendingPageView(new PageView("pv3", "u1", AT_12_30, null), click("c0", "u1", "Z", AT_12_00)),
            new PendingPageView(new PageView(null, "u1", AT_12_30), null),
        };
        return s;
    }

    static UserAttributionState roundTrip(TypeSerializer<UserAttributionState> serializer, UserAttributionState s)
            throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(s, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    static void assertSameState(UserAttributionState actual, UserAttributionState expected) {
        assertThat(actual.recentClicks).containsExactly(expected.recentClicks);
        assertThat(actual.settledClick).isEqualTo(expected.settledClick);
        assertThat(actual.pendingViews).hasSameSizeAs(expected.pendingViews);
        for (int i = 0; i < expected.pendingViews.length; i++) {
            assertThat(actual.pendingViews[i].view).isEqualTo(expected.pendingViews[i].view);
            assertThat(actual.pendingViews[i].bestClick).isEqualTo(expected.pendingViews[i].bestClick);
        }
    }

    @Test
    void everyShapeComesBackEqual() throws Exception {
        UserAttributionState s = everyShape();
        UserAttributionState back = roundTrip(UserAttributionStateSerializer.INSTANCE, s);
        assertSameState(back, s);
        assertThat(back.pendingViews[0].bestClick)
                .as("a view's best click that is a held click comes back as that same object")
                .isSameAs(back.recentClicks[0]);
        assertThat(back.pendingViews[1].bestClick).isSameAs(back.settledClick);
        assertThat(back.recentClicks[1].userId).isEqualTo("u-other");
    }

    @Test
    void anEmptyStateAndOneWithNullArraysComeBackEmpty() throws Exception {
        UserAttributionState empty = roundTrip(UserAttributionStateSerializer.INSTANCE, new UserAttributionState());
        assertThat(empty.isEmpty()).isTrue();
        UserAttributionState nulls = new UserAttributionState();
        nulls.recentClicks = null;
        nulls.pendingViews = null;
        assertThat(roundTrip(UserAttributionStateSerializer.INSTANCE, nulls).isEmpty())
                .isTrue();
    }

    @Test
    void aCopyIsIndependentWhereTheFunctionChangesState() {
        UserAttributionState s = everyShape();
        UserAttributionState copy = UserAttributionStateSerializer.INSTANCE.copy(s);
        assertSameState(copy, s);
        copy.pendingViews[0].bestClick = null;
        copy.recentClicks[0] = null;
        copy.settledClick = null;
        assertThat(s.pendingViews[0].bestClick).isNotNull();
        assertThat(s.recentClicks[0]).isNotNull();
        assertThat(s.settledClick).isNotNull();
    }

    @Test
    void theSnapshotAcceptsItselfAsIsAndThePojoFormatAfterMigration() {
        var current = UserAttributionStateSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(UserAttributionStateSerializer.INSTANCE.snapshotConfiguration())
                        .isCompatibleAsIs())
                .isTrue();
        assertThat(current.resolveSchemaCompatibility(POJO.snapshotConfiguration())
                        .isCompatibleAfterMigration())
                .isTrue();
    }

    /**
     * Clicks and views before and after a snapshot, a watermark between them: state of every kind (held clicks, a
     * settled click, pending views with best clicks) is in the snapshot.
     */
    static void beforeSnapshot(AttributionHarness h) throws Exception {
        h.click("c1", "u1", "A", AT_12_00)
                .click("c2", "u1", "B", AT_12_05)
                .click("c3", "u2", "A", AT_12_10)
                .view("pv1", "u1", AT_12_10)
                .watermark(AT_12_05)
                .view("pv2", "u2", AT_12_20)
                .view("pv3", "u1", AT_12_30);
    }

    static void afterSnapshot(AttributionHarness h) throws Exception {
        h.click("c4", "u2", "C", AT_12_20 - 1).view("pv4", "u1", AT_12_30 + 1).endOfInput();
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void stateWrittenByThePojoSerializerOfEarlierReleasesRestores(String backendName) throws Exception {
        List<AttributedPageView> uninterrupted;
        try (AttributionHarness h = AttributionHarness.of(
                new AttributionFunction(AttributionHarness.THIRTY_MINUTES, EmitMode.ON_WATERMARK),
                backend(backendName),
                null)) {
            beforeSnapshot(h);
            afterSnapshot(h);
            uninterrupted = h.rows();
        }
        OperatorSubtaskState old;
        try (AttributionHarness h = AttributionHarness.of(
                new AttributionFunction(AttributionHarness.THIRTY_MINUTES, EmitMode.ON_WATERMARK, POJO),
                backend(backendName),
                null)) {
            beforeSnapshot(h);
            old = h.snapshot();
        }
        OperatorSubtaskState migrated;
        try (AttributionHarness h = AttributionHarness.of(
                new AttributionFunction(AttributionHarness.THIRTY_MINUTES, EmitMode.ON_WATERMARK),
                backend(backendName),
                old)) {
            assertThat(h.userState("u1").pendingViews).hasSize(2);
            migrated = h.snapshot();
        }
        // Restored twice: once from the POJO format, then from this serializer's own.
        try (AttributionHarness h = AttributionHarness.of(
                new AttributionFunction(AttributionHarness.THIRTY_MINUTES, EmitMode.ON_WATERMARK),
                backend(backendName),
                migrated)) {
            afterSnapshot(h);
            assertThat(h.rows()).containsExactlyInAnyOrderElementsOf(uninterrupted);
            assertThat(h.userState("u1")).isNull();
            assertThat(h.userState("u2")).isNull();
            assertThat(h.timers()).isZero();
        }
        assertThat(uninterrupted).hasSize(4);
    }

    static StateBackend backend(String name) {
        return name.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }
}
