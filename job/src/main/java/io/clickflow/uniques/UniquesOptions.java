package io.clickflow.uniques;

import io.clickflow.io.KafkaSinks;
import io.clickflow.io.Sources;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The checked options of a unique-users run, as {@link UniquesJob} wires them. */
public final class UniquesOptions {
    public final Sources.KafkaInput kafka;
    public final String framesTopic;
    /** Set in file mode, null in Kafka mode. */
    public final Path framesFile;
    /** Where counts go on Kafka, or null for the database only. */
    public final String outputTopic;

    public final KafkaSinks.Delivery outputDelivery;
    public final List<Duration> windows;
    public final UniquesWorkflow.Settings settings;
    public final Database database;
    /** Rows this far behind the watermark are deleted; null: every row is kept. */
    public final Duration retention;

    public final RuntimeOptions runtime;

    UniquesOptions(
            Sources.KafkaInput kafka,
            String framesTopic,
            Path framesFile,
            String outputTopic,
            KafkaSinks.Delivery outputDelivery,
            List<Duration> windows,
            UniquesWorkflow.Settings settings,
            Database database,
            Duration retention,
            RuntimeOptions runtime) {
        this.kafka = kafka;
        this.framesTopic = framesTopic;
        this.framesFile = framesFile;
        this.outputTopic = outputTopic;
        this.outputDelivery = outputDelivery;
        this.windows = List.copyOf(windows);
        this.settings = settings;
        this.database = database;
        this.retention = retention;
        this.runtime = runtime;
    }

    public boolean fileMode() {
        return framesFile != null;
    }
}
