package io.clickflow.io;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.tables.RejectedEvent;

import org.apache.flink.core.fs.FSDataInputStream;

import java.io.Closeable;
import java.io.IOException;
import java.util.Arrays;

/**
 * Decoded records from JSON lines, one per non-blank line, positioned by 1-based line number; knows the byte
 * offset after the last line it read, so that a restore can seek there instead of reading the lines before it.
 */
public final class JsonLinesReader<T> implements Closeable {
    /** Longer lines are rejected without being held in memory whole. */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private final FSDataInputStream in;
    private final JsonEventDecoder<T> decoder;
    private final String sourceName;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkLen;
    private byte[] line = new byte[4096];
    private long offset;
    private long lineNumber;

    /** Reads {@code in} from its start. */
    public JsonLinesReader(FSDataInputStream in, JsonEventDecoder<T> decoder, String sourceName) {
        this(in, decoder, sourceName, 0, 0);
    }

    /**
     * Reads {@code in}, already at byte {@code offset}, which is where line {@code linesBefore} + 1 starts.
     */
    JsonLinesReader(
            FSDataInputStream in, JsonEventDecoder<T> decoder, String sourceName, long offset, long linesBefore) {
        this.in = in;
        this.decoder = decoder;
        this.sourceName = sourceName;
        this.offset = offset;
        this.lineNumber = linesBefore;
    }

    /** The next record, or null at the end of the stream. */
    public Decoded<T> read() throws IOException {
        while (true) {
            int len = readLine();
            if (len < 0) {
                return null;
            }
            String position = Long.toString(lineNumber);
            if (len > MAX_LINE_BYTES) {
                return Decoded.rejected(new RejectedEvent(
                        decoder.stream(),
                        sourceName,
                        position,
                        "record longer than " + MAX_LINE_BYTES + " bytes",
                        JsonEventDecoder.payloadText(line, 0, MAX_LINE_BYTES)));
            }
            if (!isBlank(line, len)) {
                return decoder.decode(line, 0, len, sourceName, position);
            }
        }
    }

    /**
     * Passes over {@code records} records without decoding them (as {@link #read} would return them: every line
     * but blank ones), or to the end of the stream if it has fewer.
     */
    void skipRecords(long records) throws IOException {
        for (long left = records; left > 0; ) {
            int len = readLine();
            if (len < 0) {
                return;
            }
            if (len > MAX_LINE_BYTES || !isBlank(line, len)) {
                left--;
            }
        }
    }

    /** The byte offset just after the last line read (its line end included). */
    long offset() {
        return offset;
    }

    /** The number of the last line read; 0 before the first. */
    long lineNumber() {
        return lineNumber;
    }

    /**
     * Reads the next line into {@link #line}; returns its length without the line end (a length over
     * {@link #MAX_LINE_BYTES} means the rest was skipped), or -1 at the end of the stream.
     */
    private int readLine() throws IOException {
        int len = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen) {
                chunkLen = in.read(chunk, 0, chunk.length);
                chunkPos = 0;
                if (chunkLen <= 0) {
                    chunkLen = 0;
                    if (!any) {
                        return -1;
                    }
                    lineNumber++;
                    return stripCr(len);
                }
            }
            any = true;
            int start = chunkPos;
            while (chunkPos < chunkLen && chunk[chunkPos] != '\n') {
                chunkPos++;
            }
            int n = chunkPos - start;
            offset += n;
            if (len <= MAX_LINE_BYTES) {
                int keep = Math.min(n, MAX_LINE_BYTES + 1 - len);
                if (len + keep > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, len + keep));
                }
                System.arraycopy(chunk, start, line, len, keep);
            }
            len = len > MAX_LINE_BYTES ? len : len + n;
            if (chunkPos < chunkLen) {
                chunkPos++; // the newline
                offset++;
                lineNumber++;
                return stripCr(len);
            }
        }
    }

    private int stripCr(int len) {
        // Up to MAX_LINE_BYTES + 1 bytes are kept, so a line of exactly the limit still has its CR here.
        return len > 0 && len <= MAX_LINE_BYTES + 1 && line[len - 1] == '\r' ? len - 1 : len;
    }

    private static boolean isBlank(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
