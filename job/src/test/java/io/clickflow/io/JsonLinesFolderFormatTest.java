package io.clickflow.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.decode.Decoded;
import io.clickflow.uniques.Frame;
import io.clickflow.uniques.FrameDecoder;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A file read from any record's checkpointed position continues with exactly the records after it, at their line
 * numbers: from this release's positions (a byte offset to seek to) and from the record counts of savepoints taken
 * while files were read through Flink's line format.
 */
class JsonLinesFolderFormatTest {
    static final int LINES = 400;

    /** A record as read, and the position the source checkpoints after it. */
    record Read(String record, long offset, long skip) {}

    @ParameterizedTest
    @ValueSource(strings = {"frames.jsonl", "frames.jsonl.gz"})
    void everyPositionRestoresToTheRecordsAfterIt(String name, @TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path file = dir.resolve(name);
        byte[] text = lines(new Random(11));
        try (OutputStream out = name.endsWith(".gz")
                ? new GZIPOutputStream(Files.newOutputStream(file))
                : Files.newOutputStream(file)) {
            out.write(text);
        }
        JsonLinesFolderFormat<Frame> format = new JsonLinesFolderFormat<>(new FrameDecoder(), FrameDecoder.TYPE);
        // Small batches, so that positions are taken in the middle of batches and at their ends.
        Configuration config = new Configuration();
        config.set(StreamFormat.FETCH_IO_SIZE, MemorySize.parse("300b"));
        FileSourceSplit split =
                new FileSourceSplit("0", new Path(file.toUri()), 0, Files.size(file), 0, Files.size(file));

        List<Read> all = readAll(format.createReader(config, split));
        assertThat(all).as("a record per line that is not blank").hasSize(nonBlankLines(text));
        assertThat(all).anyMatch(r -> r.record.startsWith("RejectedEvent"));
        assertThat(all.get(all.size() - 1).offset).as("past the last line").isEqualTo(text.length);

        for (int k = 0; k < all.size(); k++) {
            Read at = all.get(k);
            List<String> rest =
                    all.subList(k + 1, all.size()).stream().map(Read::record).toList();
            List<Read> restored = readAll(format.restoreReader(
                    config, split.updateWithCheckpointedPosition(new CheckpointedPosition(at.offset, at.skip))));
            assertThat(restored).as("after record " + k).map(Read::record).isEqualTo(rest);
            assertThat(restored).as("positions after record " + k).isEqualTo(all.subList(k + 1, all.size()));
            List<Read> fromCount = readAll(format.restoreReader(
                    config,
                    split.updateWithCheckpointedPosition(
                            new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, k + 1))));
            assertThat(fromCount)
                    .as("an earlier release's record count, " + (k + 1))
                    .map(Read::record)
                    .isEqualTo(rest);
        }
    }

    /** Frames, malformed lines and blank ones, with LF or CRLF, the last line without a line end. */
    private static byte[] lines(Random rng) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= LINES; i++) {
            int kind = rng.nextInt(10);
            String line = kind < 6
                    ? "{\"uid\":\"u" + rng.nextInt(50) + "\",\"ts\":" + (1704067200 + i) + ",\"pad\":\""
                            + "x".repeat(rng.nextInt(80)) + "\"}"
                    : kind < 8 ? "{not json " + i : new String[] {"", " ", "\t", "\r"}[rng.nextInt(4)];
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            if (i < LINES) {
                out.writeBytes(rng.nextInt(3) == 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
            }
        }
        return out.toByteArray();
    }

    private static int nonBlankLines(byte[] text) {
        int n = 0;
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n", -1)) {
            n += line.isBlank() ? 0 : 1;
        }
        return n;
    }

    private static List<Read> readAll(BulkFormat.Reader<Decoded<Frame>> reader) throws IOException {
        List<Read> out = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<Decoded<Frame>> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<Decoded<Frame>> r;
                while ((r = batch.next()) != null) {
                    out.add(new Read(r.getRecord().toString(), r.getOffset(), r.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        }
        return out;
    }
}
