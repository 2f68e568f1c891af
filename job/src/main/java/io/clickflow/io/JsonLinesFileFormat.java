package io.clickflow.io;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.tables.RejectedEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import java.io.IOException;
import java.util.Arrays;

/**
 * JSON lines (plain or {@code .gz}, which the file source decompresses by extension), one decoded
 * record per non-blank line, positioned by 1-based line number. On restore the file source replays the
 * file and skips the records already emitted, so line numbers stay right.
 */
public class JsonLinesFileFormat<T> extends SimpleStreamFormat<Decoded<T>> {
    private static final long serialVersionUID = 1L;
    /** Longer lines are rejected without being held in memory whole. */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private final JsonEventDecoder<T> decoder;
    private final String sourceName;
    private final TypeInformation<Decoded<T>> producedType;

    public JsonLinesFileFormat(
            JsonEventDecoder<T> decoder, String sourceName, TypeInformation<Decoded<T>> producedType) {
        this.decoder = decoder;
        this.sourceName = sourceName;
        this.producedType = producedType;
    }

    @Override
    public StreamFormat.Reader<Decoded<T>> createReader(Configuration config, FSDataInputStream stream) {
        return new Reader<>(stream, decoder, sourceName);
    }

    @Override
    public TypeInformation<Decoded<T>> getProducedType() {
        return producedType;
    }

    /** Reads bytes up to each newline itself: no charset decoding before the JSON parser needs it. */
    static final class Reader<T> implements StreamFormat.Reader<Decoded<T>> {
        private final FSDataInputStream in;
        private final JsonEventDecoder<T> decoder;
        private final String sourceName;
        private final byte[] chunk = new byte[64 * 1024];
        private int chunkPos;
        private int chunkLen;
        private byte[] line = new byte[4096];
        private long lineNumber;

        Reader(FSDataInputStream in, JsonEventDecoder<T> decoder, String sourceName) {
            this.in = in;
            this.decoder = decoder;
            this.sourceName = sourceName;
        }

        @Override
        public Decoded<T> read() throws IOException {
            while (true) {
                int len = readLine();
                if (len < 0) {
                    return null;
                }
                lineNumber++;
                String position = Long.toString(lineNumber);
                if (len > MAX_LINE_BYTES) {
                    return Decoded.rejected(new RejectedEvent(
                            decoder.stream(),
                            sourceName,
                            position,
                            "record longer than " + MAX_LINE_BYTES + " bytes",
                            JsonEventDecoder.payloadText(line, 0, MAX_LINE_BYTES)));
                }
                if (isBlank(line, len)) {
                    continue;
                }
                return decoder.decode(line, 0, len, sourceName, position);
            }
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
                        return any ? stripCr(len) : -1;
                    }
                }
                any = true;
                int start = chunkPos;
                while (chunkPos < chunkLen && chunk[chunkPos] != '\n') {
                    chunkPos++;
                }
                int n = chunkPos - start;
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
}
