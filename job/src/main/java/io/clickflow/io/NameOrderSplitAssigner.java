package io.clickflow.io;

import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Hands out a folder's files in path order (Flink's assigners follow the listing order): history split
 * into files named in time order is read in time order, a file per reader at a time, so the watermark
 * (the minimum over the files being read) never jumps past a file that has not started.
 */
final class NameOrderSplitAssigner implements FileSplitAssigner {
    private static final Comparator<FileSourceSplit> ORDER =
            Comparator.comparing((FileSourceSplit s) -> s.path().toString()).thenComparingLong(FileSourceSplit::offset);

    private final TreeSet<FileSourceSplit> splits = new TreeSet<>(ORDER);

    NameOrderSplitAssigner(Collection<FileSourceSplit> splits) {
        this.splits.addAll(splits);
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return Optional.ofNullable(splits.pollFirst());
    }

    @Override
    public void addSplits(Collection<FileSourceSplit> newSplits) {
        splits.addAll(newSplits); // returned after a failure: read again first
    }

    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        return new ArrayList<>(splits);
    }
}
