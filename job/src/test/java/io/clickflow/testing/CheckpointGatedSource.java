package io.clickflow.testing;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Any source, held after its first {@code polls} records (per reader, per attempt) until a checkpoint
 * has completed: a test can then be sure that a checkpoint holding real state exists before the input
 * runs out, however busy the machine (without it, a fast bounded input may end before the first one).
 * The reader only reports "nothing available" meanwhile, so barriers and timers keep flowing.
 */
public final class CheckpointGatedSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final Source<T, SplitT, EnumChkT> delegate;
    private final long polls;

    public CheckpointGatedSource(Source<T, SplitT, EnumChkT> delegate, long polls) {
        this.delegate = delegate;
        this.polls = polls;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        return ((ResultTypeQueryable<T>) delegate).getProducedType();
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context) throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        return delegate.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new GatedReader<>(delegate.createReader(context), polls);
    }

    /** Delegates everything; after the given number of polls, pretends to be empty until a checkpoint completes. */
    private static final class GatedReader<T, SplitT extends SourceSplit> implements SourceReader<T, SplitT> {
        private final SourceReader<T, SplitT> delegate;
        private final long polls;
        private final CompletableFuture<Void> checkpointCompleted = new CompletableFuture<>();
        private long polled;

        GatedReader(SourceReader<T, SplitT> delegate, long polls) {
            this.delegate = delegate;
            this.polls = polls;
        }

        private boolean held() {
            return polled >= polls && !checkpointCompleted.isDone();
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (held()) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            polled++;
            return delegate.pollNext(output);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return held() ? checkpointCompleted : delegate.isAvailable();
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
            checkpointCompleted.complete(null);
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            delegate.handleSourceEvents(event);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> pausedSplits, Collection<String> resumedSplits) {
            delegate.pauseOrResumeSplits(pausedSplits, resumedSplits);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
