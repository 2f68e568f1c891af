package io.clickflow.io;

import io.clickflow.records.Decoded;
import io.clickflow.records.JsonEventDecoder;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/** Builds the decoding sources every job reads from: Kafka topics or bounded JSON-lines files. */
public final class Sources {
    private Sources() {}

    /** How to read Kafka. */
    public record KafkaInput(String bootstrapServers, String groupId, StartingOffsets startingOffsets, boolean bounded,
            Properties properties) implements Serializable {}

    /** Where a Kafka job starts when no checkpoint says otherwise. */
    public enum StartingOffsets {
        /** The consumer group's committed offsets; the earliest where it has none. */
        COMMITTED,
        EARLIEST,
        LATEST;

        public static StartingOffsets parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be committed, earliest or latest, not '" + s + "'");
            }
        }

        OffsetsInitializer initializer() {
            switch (this) {
                case EARLIEST: return OffsetsInitializer.earliest();
                case LATEST: return OffsetsInitializer.latest();
                default: return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            }
        }
    }

    /** Declares a job's consumer options (after its --bootstrap-servers and topic options). */
    public static void declareKafkaConsumer(io.clickflow.cli.CommandLine cl, String defaultGroupId, String boundedFinishes) {
        cl.option("group-id", "ID", defaultGroupId, "Kafka consumer group; offsets are committed to it on each checkpoint.")
                .option("starting-offsets", "WHERE", "committed",
                        "committed | earliest | latest: where to start without a checkpoint (committed falls back to earliest).")
                .flag("bounded", "Kafka: stop at the offsets that are the latest when the job starts, then finish every " + boundedFinishes + ".");
    }

    /**
     * The Kafka input of a job's options; refuses {@code --bounded} with a restore, unless the job reads
     * files: Flink's bounded KafkaSource never signals its end after a restore (FLINK-31006), the job would hang.
     */
    public static KafkaInput kafkaInput(io.clickflow.cli.CommandLine cl, boolean fileMode) {
        KafkaInput input = new KafkaInput(cl.string("bootstrap-servers"), cl.string("group-id"),
                cl.get("starting-offsets", StartingOffsets::parse), cl.flag("bounded"), new Properties());
        if (input.bounded() && !fileMode && (cl.flag("resume") || cl.isSet("from-savepoint"))) {
            throw new io.clickflow.cli.UsageException("--bounded cannot be combined with --resume/--from-savepoint (a restored "
                    + "bounded Kafka source never finishes, FLINK-31006); resume without --bounded");
        }
        return input;
    }

    public static <T> Source<Decoded<T>, ?, ?> kafka(KafkaInput input, String topic, JsonEventDecoder<T> decoder,
            TypeInformation<Decoded<T>> type) {
        var builder = KafkaSource.<Decoded<T>>builder()
                .setBootstrapServers(input.bootstrapServers())
                .setTopics(topic)
                .setGroupId(input.groupId())
                // Both sources of a job share the group; distinct client ids keep their consumers and
                // admin clients apart in broker logs, quotas and JMX.
                .setClientIdPrefix(input.groupId() + "-" + topic)
                .setStartingOffsets(input.startingOffsets().initializer())
                .setDeserializer(new DecodingKafkaDeserializer<>(decoder, type))
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
    public static <T> Source<Decoded<T>, ?, ?> file(Path fileOrFolder, JsonEventDecoder<T> decoder, TypeInformation<Decoded<T>> type) {
        return FileSource.forBulkFileFormat(new JsonLinesFiles<>(decoder, type),
                        new org.apache.flink.core.fs.Path(fileOrFolder.toAbsolutePath().toUri()))
                .setSplitAssigner(NameOrderSplitAssigner::new)
                .build();
    }
}
