package io.clickflow.attribution;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.TextOrder;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SnapshotType;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Drives {@link AttributionFunction} in a keyed test harness with named times on 2024-01-01. */
public final class AttributionHarness implements AutoCloseable {
    public static final Duration THIRTY_MINUTES = Duration.ofMinutes(30);

    public final KeyedTwoInputStreamOperatorTestHarness<String, AdClick, PageView, AttributedPageView> harness;

    public AttributionHarness(EmitMode mode) throws Exception {
        this(mode, THIRTY_MINUTES);
    }

    public final AttributionFunction function;

    public AttributionHarness(EmitMode mode, Duration window) throws Exception {
        function = new AttributionFunction(window, mode);
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                function, c -> c.userId, v -> v.userId, Types.STRING);
    }

    private AttributionHarness(AttributionFunction function, StateBackend backend, OperatorSubtaskState snapshot)
            throws Exception {
        this.function = function;
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(function),
                (AdClick c) -> c.userId,
                (PageView v) -> v.userId,
                Types.STRING);
        if (backend != null) {
            harness.setStateBackend(backend);
        }
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
    }

    /** A new operator restored from a snapshot of another, as after a failure. */
    public static AttributionHarness restore(EmitMode mode, OperatorSubtaskState snapshot) throws Exception {
        return new AttributionHarness(new AttributionFunction(THIRTY_MINUTES, mode), null, snapshot);
    }

    /** {@code function} on {@code backend}, restored from {@code snapshot} unless it is null. */
    static AttributionHarness of(AttributionFunction function, StateBackend backend, OperatorSubtaskState snapshot)
            throws Exception {
        return new AttributionHarness(function, backend, snapshot);
    }

    public OperatorSubtaskState snapshot() throws Exception {
        return harness.snapshot(1, 1);
    }

    /** A snapshot of the given type: a checkpoint, or a savepoint in its canonical or native format. */
    public OperatorSubtaskState snapshot(SnapshotType type) throws Exception {
        return harness.snapshotWithLocalState(1, 1, type).getJobManagerOwnedState();
    }

    /** Epoch millis of {@code HH:mm[:ss]} on 2024-01-01 UTC. */
    public static long at(String time) {
        String t = time.length() == 5 ? time + ":00" : time;
        return Instant.parse("2024-01-01T" + t + "Z").toEpochMilli();
    }

    public AttributionHarness click(String id, String user, String campaign, long time) throws Exception {
        harness.processElement1(new StreamRecord<>(new AdClick(id, user, campaign, time), time));
        return this;
    }

    public AttributionHarness view(String id, String user, long time) throws Exception {
        harness.processElement2(new StreamRecord<>(new PageView(id, user, time), time));
        return this;
    }

    public AttributionHarness watermark(long time) throws Exception {
        harness.processBothWatermarks(new Watermark(time));
        return this;
    }

    /** The end of input: every event-time timer fires, then every cleanup timer (processing time far ahead). */
    public AttributionHarness endOfInput() throws Exception {
        watermark(Long.MAX_VALUE);
        return processingTime(Long.MAX_VALUE / 2);
    }

    /** Processing time moves to {@code time}: the cleanup timers due by then fire. */
    public AttributionHarness processingTime(long time) throws Exception {
        harness.setProcessingTime(time);
        return this;
    }

    public List<AttributedPageView> rows() {
        return harness.extractOutputValues();
    }

    /** The rows a sink would keep: per page view, the highest-ranked row emitted (see the upsert guard). */
    public Map<String, AttributedPageView> table() {
        Map<String, AttributedPageView> table = new LinkedHashMap<>();
        for (AttributedPageView row : rows()) {
            table.merge(row.pageViewId, row, (old, neu) -> rank(neu, old) > 0 ? neu : old);
        }
        return table;
    }

    public static int rank(AttributedPageView a, AttributedPageView b) {
        if (a.isFinal != b.isFinal) {
            return a.isFinal ? 1 : -1;
        }
        long ta = a.clickTime == null ? Long.MIN_VALUE : a.clickTime;
        long tb = b.clickTime == null ? Long.MIN_VALUE : b.clickTime;
        if (ta != tb) {
            return Long.compare(ta, tb);
        }
        return TextOrder.compare(a.clickId == null ? "" : a.clickId, b.clickId == null ? "" : b.clickId);
    }

    /** {@code pageViewId -> clickId or "none"} of the final rows. */
    public Map<String, String> finalClicks() {
        return rows().stream()
                .filter(r -> r.isFinal)
                .collect(Collectors.toMap(
                        r -> r.pageViewId,
                        r -> r.clickId == null ? "none" : r.clickId,
                        (a, b) -> b,
                        LinkedHashMap::new));
    }

    public List<LateEvent> lateEvents() {
        var records = harness.getSideOutput(AttributionFunction.LATE_EVENTS);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    public int stateEntries() {
        return harness.numKeyedStateEntries();
    }

    /** The attribution state of one user, as the function stored it (null if none). */
    public UserAttributionState userState(String userId) throws Exception {
        var backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(userId);
        return backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        AttributionFunction.userStateDescriptor(UserAttributionStateSerializer.INSTANCE))
                .value();
    }

    /** Event-time timers (due views and clicks) and processing-time timers (settled-click cleanup). */
    public int timers() {
        return harness.numEventTimeTimers() + harness.numProcessingTimeTimers();
    }

    public int eventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
