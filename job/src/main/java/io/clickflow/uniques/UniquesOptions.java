package io.clickflow.uniques;

import io.clickflow.cli.RuntimeOptions;
import io.clickflow.io.KafkaSinks;
import io.clickflow.io.Sources;
import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The checked options of a unique-users run, as {@link UniquesJob} wires them. */
public final class UniquesOptions {
    public Sources.KafkaInput kafka;
    public String framesTopic;
    /** Set in file mode, null in Kafka mode. */
    public Path framesFile;
    /** Where counts go on Kafka, or null for the database only. */
    public String outputTopic;

    public KafkaSinks.Delivery outputDelivery;
    public List<Duration> windows;
    public UniquesWorkflow.Settings settings;
    public Database database;
    public RuntimeOptions runtime;

    public boolean fileMode() {
        return framesFile != null;
    }
}
