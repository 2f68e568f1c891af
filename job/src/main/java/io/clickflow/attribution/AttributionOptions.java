package io.clickflow.attribution;

import io.clickflow.cli.RuntimeOptions;
import io.clickflow.io.Sources;
import io.clickflow.tables.Database;

import java.nio.file.Path;

/** The checked options of an attribution run, as {@link AttributionJob} wires them. */
public final class AttributionOptions {
    public Sources.KafkaInput kafka;
    public String clicksTopic;
    public String pageViewsTopic;
    /** Both set in file mode, both null in Kafka mode. */
    public Path clicksFile;

    public Path pageViewsFile;
    public AttributionWorkflow.Settings settings;
    public Database database;
    public RuntimeOptions runtime;

    public boolean fileMode() {
        return clicksFile != null;
    }
}
