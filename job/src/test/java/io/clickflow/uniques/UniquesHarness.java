package io.clickflow.uniques;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.UniqueUsers;
import io.clickflow.tables.UniquesTables;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Both stages of the unique-user count in keyed test harnesses, wired like the job: a frame goes through
 * {@link AssignWindows} to stage 1, stage 1's output to stage 2 before a watermark moves on to it. Named
 * times are on 2024-01-01 UTC.
 */
public final class UniquesHarness implements AutoCloseable {
    public final CountingSettings counting;
    public final KeyedOneInputStreamOperatorTestHarness<Long, WindowedUser, ShardCount> shards;
    public final KeyedOneInputStreamOperatorTestHarness<Long, ShardCount, UniqueUsers> windows;
    private final List<UniqueUsers> rows = new ArrayList<>();
    private final List<ShardCount> shardCounts = new ArrayList<>();

    public UniquesHarness(
            CountMode mode, EmitMode emitMode, Duration updateInterval, Duration allowedLateness, Duration... sizes)
            throws Exception {
        this(mode, emitMode, updateInterval, allowedLateness, null, sizes);
    }

    private UniquesHarness(
            CountMode mode,
            EmitMode emitMode,
            Duration updateInterval,
            Duration allowedLateness,
            OperatorSubtaskState[] restoreFrom,
            Duration... sizes)
            throws Exception {
        counting = new CountingSettings(
                new WindowKeys(List.of(sizes), mode.shards()), mode, 12, emitMode, updateInterval, allowedLateness);
        shards = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ShardDistinctUsers(counting)),
                (WindowedUser u) -> u.shardKey,
                Types.LONG);
        windows = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new WindowUniqueUsers(counting)), (ShardCount c) -> c.windowKey, Types.LONG);
        shards.setup();
        windows.setup();
        shards.initializeState(restoreFrom == null ? null : restoreFrom[0]);
        windows.initializeState(restoreFrom == null ? null : restoreFrom[1]);
        shards.open();
        windows.open();
    }

    /** Both operators' state, as in a checkpoint. */
    public OperatorSubtaskState[] snapshot() throws Exception {
        return new OperatorSubtaskState[] {shards.snapshot(1, 1), windows.snapshot(1, 1)};
    }

    /** New operators with other settings restored from a snapshot, as a resumed run. */
    public static UniquesHarness restore(
            OperatorSubtaskState[] snapshot,
            CountMode mode,
            EmitMode emitMode,
            Duration updateInterval,
            Duration allowedLateness,
            Duration... sizes)
            throws Exception {
        return new UniquesHarness(mode, emitMode, updateInterval, allowedLateness, snapshot, sizes);
    }

    /** {@code "12:00:10"} on 2024-01-01, UTC. */
    public static long at(String time) {
        return Instant.parse("2024-01-01T" + (time.length() == 5 ? time + ":00" : time) + "Z")
                .toEpochMilli();
    }

    public UniquesHarness frame(String uid, long eventTime) throws Exception {
        List<WindowedUser> assigned = new ArrayList<>();
        AssignWindows.assign(counting.windows(), new Frame(uid, eventTime), new Collector<>() {
            @Override
            public void collect(WindowedUser u) {
                assigned.add(u);
            }

            @Override
            public void close() {}
        });
        for (WindowedUser u : assigned) {
            shards.processElement(u, eventTime);
        }
        forward();
        return this;
    }

    public UniquesHarness watermark(long time) throws Exception {
        shards.processWatermark(time);
        forward();
        windows.processWatermark(time);
        collect();
        return this;
    }

    public UniquesHarness processingTime(long time) throws Exception {
        shards.setProcessingTime(time);
        forward();
        windows.setProcessingTime(time);
        collect();
        return this;
    }

    /** The end of a bounded input: the final watermark, then processing time far enough for every update timer. */
    public UniquesHarness endOfInput() throws Exception {
        watermark(Long.MAX_VALUE);
        return processingTime(Long.MAX_VALUE / 2);
    }

    private void forward() throws Exception {
        Object o;
        while ((o = shards.getOutput().poll()) != null) {
            if (o instanceof StreamRecord<?> r) {
                ShardCount c = (ShardCount) r.getValue();
                shardCounts.add(c);
                windows.processElement(c, r.getTimestamp());
            }
        }
        collect();
    }

    private void collect() {
        Object o;
        while ((o = windows.getOutput().poll()) != null) {
            if (o instanceof StreamRecord<?> r) {
                rows.add((UniqueUsers) r.getValue());
            }
        }
    }

    /** Every row emitted, in order. */
    public List<UniqueUsers> rows() {
        return rows;
    }

    /** Rows emitted since the last call. */
    private int seen;

    public List<UniqueUsers> newRows() {
        List<UniqueUsers> fresh = new ArrayList<>(rows.subList(seen, rows.size()));
        seen = rows.size();
        return fresh;
    }

    public List<ShardCount> shardCounts() {
        return shardCounts;
    }

    /** The table after every row was upserted: {@code window size in seconds + "s@" + start "HH:mm:ss"} -> row. */
    public Map<String, UniqueUsers> table() {
        Map<String, UniqueUsers> table = new LinkedHashMap<>();
        for (UniqueUsers r : rows) {
            table.merge(
                    r.windowSeconds + "s@"
                            + Instant.ofEpochMilli(r.windowStart).toString().substring(11, 19),
                    r,
                    UniquesTables::keep);
        }
        return table;
    }

    public List<LateEvent> lateFrames() {
        List<LateEvent> late = new ArrayList<>();
        var side = shards.getSideOutput(ShardDistinctUsers.LATE_FRAMES);
        if (side != null) {
            side.forEach(r -> late.add(r.getValue()));
        }
        return late;
    }

    public int stateEntries() {
        return shards.numKeyedStateEntries() + windows.numKeyedStateEntries();
    }

    public int timers() {
        return shards.numEventTimeTimers()
                + windows.numEventTimeTimers()
                + shards.numProcessingTimeTimers()
                + windows.numProcessingTimeTimers();
    }

    @Override
    public void close() throws Exception {
        shards.close();
        windows.close();
    }
}
