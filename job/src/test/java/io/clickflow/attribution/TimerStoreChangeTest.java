package io.clickflow.attribution;

import static io.clickflow.attribution.AttributionHarness.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;

import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.checkpoint.SnapshotType;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend.PriorityQueueStateType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

/**
 * RocksDB jobs of earlier releases kept their timers on the heap; now they keep them in RocksDB: a retained checkpoint
 * or a canonical savepoint (what clickflow's stop takes) of the earlier kind restores with every timer, as do this
 * release's own snapshots. Users here have no later events, so a lost timer would leave a view never written and a
 * click never removed. (Not supported by Flink, so not offered: timers from RocksDB back to the heap from a
 * checkpoint, and heap timers in a native savepoint; both lose the timers, see docs/operations.md.)
 */
class TimerStoreChangeTest {
    static final long AT_12_05 = at("12:05");
    static final long AT_12_10 = at("12:10");
    static final long AT_12_20 = at("12:20");

    @ParameterizedTest(name = "timers on {0}, {2}, restored with timers on {1}")
    @CsvSource({
        "HEAP, ROCKSDB, checkpoint",
        "HEAP, ROCKSDB, canonical savepoint",
        "ROCKSDB, ROCKSDB, checkpoint",
        "ROCKSDB, ROCKSDB, native savepoint",
        "ROCKSDB, ROCKSDB, canonical savepoint"
    })
    void everyTimerSurvivesTheRestore(PriorityQueueStateType before, PriorityQueueStateType after, String type)
            throws Exception {
        List<AttributedPageView> uninterrupted;
        try (AttributionHarness h = harness(before, null)) {
            traffic(h);
            h.endOfInput();
            uninterrupted = h.rows();
        }
        OperatorSubtaskState snapshot;
        int timers;
        try (AttributionHarness h = harness(before, null)) {
            traffic(h);
            timers = h.timers();
            snapshot = h.snapshot(snapshotType(type));
        }
        try (AttributionHarness h = harness(after, snapshot)) {
            assertThat(h.timers()).as("timers restored").isEqualTo(timers);
            h.endOfInput();
            assertThat(h.rows()).containsExactlyInAnyOrderElementsOf(uninterrupted);
            for (String user : List.of("u1", "u2", "u3")) {
                assertThat(h.userState(user)).as("state of " + user).isNull();
            }
            assertThat(h.timers()).as("timers left").isZero();
        }
        assertThat(timers).as("pending views' and settled clicks' timers").isEqualTo(6);
    }

    /** Three users, each with a settled click (its cleanup timer) and a pending view (its event-time timer). */
    private static void traffic(AttributionHarness h) throws Exception {
        h.processingTime(0);
        for (String user : List.of("u1", "u2", "u3")) {
            h.click("c-" + user, user, "A", AT_12_05);
        }
        h.watermark(AT_12_10);
        for (String user : List.of("u1", "u2", "u3")) {
            h.view("pv-" + user, user, AT_12_20);
        }
    }

    private static AttributionHarness harness(PriorityQueueStateType timers, OperatorSubtaskState snapshot)
            throws Exception {
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend();
        backend.setPriorityQueueStateType(timers);
        return AttributionHarness.of(
                new AttributionFunction(AttributionHarness.THIRTY_MINUTES, EmitMode.ON_WATERMARK), backend, snapshot);
    }

    private static SnapshotType snapshotType(String type) {
        return switch (type) {
            case "checkpoint" -> CheckpointType.CHECKPOINT;
            case "native savepoint" -> SavepointType.savepoint(SavepointFormatType.NATIVE);
            case "canonical savepoint" -> SavepointType.savepoint(SavepointFormatType.CANONICAL);
            default -> throw new IllegalArgumentException(type);
        };
    }
}
