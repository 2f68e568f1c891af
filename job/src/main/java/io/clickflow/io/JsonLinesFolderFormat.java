package io.clickflow.io;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;

import org.apache.flink.api.common.io.InputStreamFSInputWrapper;
import org.apache.flink.api.common.io.compression.InflaterInputStreamFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JSON lines (plain or {@code .gz}, decompressed by extension) over any number of files (a folder of history):
 * each file is read whole by one reader that names it, so a rejected line is positioned by its own file's name and
 * line number. A checkpoint holds each file's byte offset and line number after the last record emitted, and a
 * restore seeks there (Flink's line formats keep a count of records instead, so their restore reads and decodes
 * the file again up to its position, for longer the further in it was).
 */
final class JsonLinesFolderFormat<T> implements BulkFormat<Decoded<T>, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    private final JsonEventDecoder<T> decoder;
    private final TypeInformation<Decoded<T>> producedType;

    JsonLinesFolderFormat(JsonEventDecoder<T> decoder, TypeInformation<Decoded<T>> producedType) {
        this.decoder = decoder;
        this.producedType = producedType;
    }

    @Override
    public Reader<Decoded<T>> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new FileReader<>(open(split, split.offset(), 0), batchBytes(config));
    }

    /**
     * Our checkpoints' positions are (byte offset, lines before it). A position without an offset comes from a
     * savepoint of a release that read through Flink's line format: records to skip from the file's start.
     */
    @Override
    public Reader<Decoded<T>> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        CheckpointedPosition position = split.getReaderPosition().orElseThrow();
        JsonLinesReader<T> lines;
        if (position.getOffset() == CheckpointedPosition.NO_OFFSET) {
            lines = open(split, split.offset(), 0);
            lines.skipRecords(position.getRecordsAfterOffset());
        } else {
            lines = open(split, position.getOffset(), position.getRecordsAfterOffset());
        }
        return new FileReader<>(lines, batchBytes(config));
    }

    private JsonLinesReader<T> open(FileSourceSplit split, long offset, long linesBefore) throws IOException {
        Path path = split.path();
        FSDataInputStream raw = path.getFileSystem().open(path);
        try {
            InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(path.getPath());
            // A compressed file seeks forward by decompressing: offsets count decompressed bytes.
            FSDataInputStream in = inflater == null ? raw : new InputStreamFSInputWrapper(inflater.create(raw));
            in.seek(offset);
            return new JsonLinesReader<>(in, decoder, path.getName(), offset, linesBefore);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static int batchBytes(Configuration config) {
        return (int) Math.min(
                Integer.MAX_VALUE, config.get(StreamFormat.FETCH_IO_SIZE).getBytes());
    }

    @Override
    public boolean isSplittable() {
        return false; // a line-numbered file is read whole by one reader; a folder's files are read in parallel
    }

    @Override
    public TypeInformation<Decoded<T>> getProducedType() {
        return producedType;
    }

    /** Hands out a file's records in batches of about {@code batchBytes} of lines, each with its restart position. */
    static final class FileReader<T> implements Reader<Decoded<T>> {
        private final JsonLinesReader<T> lines;
        private final int batchBytes;

        FileReader(JsonLinesReader<T> lines, int batchBytes) {
            this.lines = lines;
            this.batchBytes = Math.max(1, batchBytes);
        }

        @Override
        public RecordIterator<Decoded<T>> readBatch() throws IOException {
            long end = lines.offset() + batchBytes;
            Batch<T> batch = new Batch<>();
            Decoded<T> record;
            while (lines.offset() < end && (record = lines.read()) != null) {
                batch.add(record, lines.offset(), lines.lineNumber());
            }
            return batch.isEmpty() ? null : batch;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    /** Records with the position after each: the byte offset past its line and that line's number. */
    static final class Batch<T> implements RecordIterator<Decoded<T>> {
        private final List<Decoded<T>> records = new ArrayList<>();
        private long[] offsets = new long[64];
        private long[] lineNumbers = new long[64];
        private final MutableRecordAndPosition<Decoded<T>> current = new MutableRecordAndPosition<>();
        private int next;

        void add(Decoded<T> record, long offset, long lineNumber) {
            int i = records.size();
            if (i == offsets.length) {
                offsets = Arrays.copyOf(offsets, i * 2);
                lineNumbers = Arrays.copyOf(lineNumbers, i * 2);
            }
            records.add(record);
            offsets[i] = offset;
            lineNumbers[i] = lineNumber;
        }

        boolean isEmpty() {
            return records.isEmpty();
        }

        @Override
        public RecordAndPosition<Decoded<T>> next() {
            if (next == records.size()) {
                return null;
            }
            current.set(records.get(next), offsets[next], lineNumbers[next]);
            next++;
            return current;
        }

        @Override
        public void releaseBatch() {}
    }
}
