package io.clickflow.io;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;

import java.io.IOException;

/**
 * {@link JsonLinesFileFormat} over any number of files (a folder of history): each file is read by a reader
 * that names it, so a rejected line is positioned by its own file's name and line number.
 */
final class JsonLinesFolderFormat<T> implements BulkFormat<Decoded<T>, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    private final JsonEventDecoder<T> decoder;
    private final TypeInformation<Decoded<T>> producedType;

    JsonLinesFolderFormat(JsonEventDecoder<T> decoder, TypeInformation<Decoded<T>> producedType) {
        this.decoder = decoder;
        this.producedType = producedType;
    }

    private StreamFormatAdapter<Decoded<T>> of(FileSourceSplit split) {
        return new StreamFormatAdapter<>(
                new JsonLinesFileFormat<>(decoder, split.path().getName(), producedType));
    }

    @Override
    public Reader<Decoded<T>> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return of(split).createReader(config, split);
    }

    @Override
    public Reader<Decoded<T>> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return of(split).restoreReader(config, split);
    }

    @Override
    public boolean isSplittable() {
        return false; // a line-numbered file is read whole by one reader; a folder's files are read in parallel
    }

    @Override
    public TypeInformation<Decoded<T>> getProducedType() {
        return producedType;
    }
}
