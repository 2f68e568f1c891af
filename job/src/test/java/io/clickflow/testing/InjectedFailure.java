package io.clickflow.testing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass-through that throws once per attempt, for the first {@code failures} attempts of subtask 0,
 * after a given number of records (and, if asked, only once a checkpoint completed): the job fails at a
 * chosen point and must recover from its last checkpoint.
 */
public class InjectedFailure<T> extends RichMapFunction<T, T> implements CheckpointListener {
    private static final long serialVersionUID = 1L;
    /** Failures thrown so far in this JVM (MiniCluster tests run in it), so tests can prove they happened. */
    public static final AtomicInteger THROWN = new AtomicInteger();

    private final long recordsBeforeFailure;
    private final int failures;
    private final boolean afterCheckpoint;
    private transient long seen;
    private transient boolean checkpointCompleted;
    private transient boolean armed;
    private transient int attempt;

    public InjectedFailure(long recordsBeforeFailure, int failures, boolean afterCheckpoint) {
        this.recordsBeforeFailure = recordsBeforeFailure;
        this.failures = failures;
        this.afterCheckpoint = afterCheckpoint;
    }

    @Override
    public void open(OpenContext openContext) {
        var task = getRuntimeContext().getTaskInfo();
        attempt = task.getAttemptNumber();
        armed = task.getIndexOfThisSubtask() == 0 && attempt < failures; // later attempts fail sooner
    }

    @Override
    public T map(T value) {
        seen++;
        if (armed && seen >= recordsBeforeFailure >> attempt && (checkpointCompleted || !afterCheckpoint)) {
            THROWN.incrementAndGet();
            throw new IllegalStateException("injected failure after " + seen + " records (attempt "
                    + getRuntimeContext().getTaskInfo().getAttemptNumber() + ")");
        }
        return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointCompleted = true;
    }
}
