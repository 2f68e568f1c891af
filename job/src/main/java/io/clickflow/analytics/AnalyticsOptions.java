package io.clickflow.analytics;

import io.clickflow.io.Sources;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.time.Duration;

/** The checked options of an analytics run, as {@link AnalyticsJob} wires them. */
public final class AnalyticsOptions {
    public final Sources.KafkaInput kafka;
    public final String eventsTopic;
    /** Set in file mode, null in Kafka mode. */
    public final Path eventsFile;

    public final AnalyticsWorkflow.Settings settings;
    public final Database database;
    /** Rows this far behind the watermark are deleted; null: every row is kept. */
    public final Duration retention;

    public final RuntimeOptions runtime;

    AnalyticsOptions(
            Sources.KafkaInput kafka,
            String eventsTopic,
            Path eventsFile,
            AnalyticsWorkflow.Settings settings,
            Database database,
            Duration retention,
            RuntimeOptions runtime) {
        this.kafka = kafka;
        this.eventsTopic = eventsTopic;
        this.eventsFile = eventsFile;
        this.settings = settings;
        this.database = database;
        this.retention = retention;
        this.runtime = runtime;
    }

    public boolean fileMode() {
        return eventsFile != null;
    }
}
