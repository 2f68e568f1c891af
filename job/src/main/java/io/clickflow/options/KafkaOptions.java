package io.clickflow.options;

import io.clickflow.commandline.UsageException;
import io.clickflow.io.Sources;
import io.clickflow.io.Sources.StartingOffsets;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** How a job reads Kafka: brokers, consumer group, where to start, and whether to stop at the end. */
public final class KafkaOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            defaultValue = "localhost:9092",
            description = "Kafka brokers (input and output topics).")
    private String bootstrapServers;

    @Option(
            names = "--group-id",
            paramLabel = "ID",
            description =
                    "Kafka consumer group; offsets are committed to it on each checkpoint. Default: clickflow-${COMMAND-NAME}")
    String groupId;

    @Option(
            names = "--starting-offsets",
            paramLabel = "WHERE",
            defaultValue = "committed",
            description =
                    "committed | earliest | latest: where to start without a checkpoint (committed falls back to earliest).")
    StartingOffsets startingOffsets;

    @Option(
            names = "--bounded",
            description =
                    "Kafka: stop at the offsets that are the latest when the job starts, then finish every result.")
    boolean bounded;

    @Option(
            names = "--consumer-property",
            paramLabel = "KEY=VALUE",
            description = "Any other Kafka consumer setting of the job's input (security, fetch sizes, ...); "
                    + "repeatable; wins over the job's own.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    /** Whether the job's input is read to an end: files ({@code fileMode}), or Kafka with {@code --bounded}. */
    public boolean boundedInput(boolean fileMode) {
        return fileMode || bounded;
    }

    /**
     * The Kafka input; refuses {@code --bounded} with a restore unless the job reads files: Flink's bounded
     * KafkaSource never signals its end after a restore (FLINK-31006), the job would hang.
     */
    public Sources.KafkaInput input(boolean fileMode, RuntimeOptions runtime) {
        return input(fileMode, runtime, Map.of());
    }

    /**
     * The Kafka input with the job's own consumer settings {@code jobDefaults}, each replaced by a
     * {@code --consumer-property} of the same key.
     */
    public Sources.KafkaInput input(boolean fileMode, RuntimeOptions runtime, Map<String, String> jobDefaults) {
        if (bounded && !fileMode && runtime.restoreAsked()) {
            throw new UsageException("--bounded cannot be combined with --resume/--from-savepoint (a restored "
                    + "bounded Kafka source never finishes, FLINK-31006); resume without --bounded");
        }
        return new Sources.KafkaInput(
                bootstrapServers,
                groupId != null ? groupId : "clickflow-" + mixee.name(),
                startingOffsets,
                bounded,
                consumerProperties(jobDefaults));
    }

    private Properties consumerProperties(Map<String, String> jobDefaults) {
        Properties properties = new Properties();
        properties.putAll(jobDefaults);
        consumerProperties.forEach((key, value) -> {
            if (key.isBlank()) {
                throw new UsageException("--consumer-property: KEY=VALUE with a key, not '=" + value + "'");
            }
            properties.setProperty(key.trim(), value);
        });
        return properties;
    }
}
