package io.clickflow.io;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Properties;

/** Builds the decoding sources every job reads from: Kafka topics or bounded JSON-lines files. */
public final class Sources {
    private Sources() {}

    /** How to read Kafka. */
    public record KafkaInput(
            String bootstrapServers,
            String groupId,
            StartingOffsets startingOffsets,
            boolean bounded,
            Properties properties)
            implements Serializable {}

    /** Where a Kafka job starts when no checkpoint says otherwise. */
    public enum StartingOffsets {
        /** The consumer group's committed offsets; the earliest where it has none. */
        COMMITTED,
        EARLIEST,
        LATEST;

        OffsetsInitializer initializer() {
            switch (this) {
                case EARLIEST:
                    return OffsetsInitializer.earliest();
                case LATEST:
                    return OffsetsInitializer.latest();
                default:
                    return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            }
        }
    }

    public static <T> Source<Decoded<T>, ?, ?> kafka(
            KafkaInput input, String topic, JsonEventDecoder<T> decoder, TypeInformation<Decoded<T>> type) {
        return kafka(input, topic, new DecodingKafkaDeserializer<>(decoder, type));
    }

    /** A topic read with any deserializer, with the settings every job's Kafka input shares. */
    public static <T> Source<T, ?, ?> kafka(
            KafkaInput input, String topic, KafkaRecordDeserializationSchema<T> deserializer) {
        var builder = KafkaSource.<T>builder()
                .setBootstrapServers(input.bootstrapServers())
                .setTopics(topic)
                .setGroupId(input.groupId())
                // Both sources of a job share the group; distinct client ids keep their consumers and
                // admin clients apart in broker logs, quotas and JMX.
                .setClientIdPrefix(input.groupId() + "-" + topic)
                .setStartingOffsets(input.startingOffsets().initializer())
                .setDeserializer(deserializer)
                // Offsets live in checkpoints; committing them too lets lag tools see progress.
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperties(input.properties());
        if (input.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * A JSON-lines file, or every file in a folder, in name order, as many at a time as the source has
     * readers (names starting with {@code .} or {@code _} are skipped); {@code .gz} files are decompressed.
     */
    public static <T> Source<Decoded<T>, ?, ?> file(
            Path fileOrFolder, JsonEventDecoder<T> decoder, TypeInformation<Decoded<T>> type) {
        return FileSource.forBulkFileFormat(
                        new JsonLinesFolderFormat<>(decoder, type),
                        new org.apache.flink.core.fs.Path(
                                fileOrFolder.toAbsolutePath().toUri()))
                .setSplitAssigner(NameOrderSplitAssigner::new)
                .build();
    }
}
