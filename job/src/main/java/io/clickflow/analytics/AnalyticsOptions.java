package io.clickflow.analytics;

import io.clickflow.cli.RuntimeOptions;
import io.clickflow.io.Sources;
import io.clickflow.tables.Database;

import java.nio.file.Path;

/** The checked options of an analytics run, as {@link AnalyticsJob} wires them. */
public final class AnalyticsOptions {
    public Sources.KafkaInput kafka;
    public String eventsTopic;
    /** Set in file mode, null in Kafka mode. */
    public Path eventsFile;

    public AnalyticsWorkflow.Settings settings;
    public Database database;
    public RuntimeOptions runtime;

    public boolean fileMode() {
        return eventsFile != null;
    }
}
