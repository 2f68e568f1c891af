package io.clickflow.attribution;

import io.clickflow.io.Sources;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.time.Duration;

/** The checked options of an attribution run, as {@link AttributionJob} wires them. */
public final class AttributionOptions {
    public final Sources.KafkaInput kafka;
    public final String clicksTopic;
    public final String pageViewsTopic;
    /** Both set in file mode, both null in Kafka mode. */
    public final Path clicksFile;

    public final Path pageViewsFile;
    public final AttributionWorkflow.Settings settings;
    public final Database database;
    /** Rows this far behind the watermark are deleted; null: every row is kept. */
    public final Duration retention;

    public final RuntimeOptions runtime;

    AttributionOptions(
            Sources.KafkaInput kafka,
            String clicksTopic,
            String pageViewsTopic,
            Path clicksFile,
            Path pageViewsFile,
            AttributionWorkflow.Settings settings,
            Database database,
            Duration retention,
            RuntimeOptions runtime) {
        this.kafka = kafka;
        this.clicksTopic = clicksTopic;
        this.pageViewsTopic = pageViewsTopic;
        this.clicksFile = clicksFile;
        this.pageViewsFile = pageViewsFile;
        this.settings = settings;
        this.database = database;
        this.retention = retention;
        this.runtime = runtime;
    }

    public boolean fileMode() {
        return clicksFile != null;
    }
}
