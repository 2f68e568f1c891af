package io.clickflow.attribution;

import io.clickflow.cli.CommandLine;
import io.clickflow.cli.RuntimeOptions;
import io.clickflow.cli.UsageException;
import io.clickflow.functions.EmitMode;
import io.clickflow.io.Database;
import io.clickflow.io.Sources;
import io.clickflow.workflows.AttributionWorkflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Every option of {@code ./clickflow attribution}, parsed and checked before anything starts. */
public final class AttributionOptions {
    public static final String COMMAND = "attribution";

    public Sources.KafkaInput kafka;
    public String clicksTopic;
    public String pageViewsTopic;
    /** Both set in file mode, both null in Kafka mode. */
    public Path clicksFile;
    public Path pageViewsFile;
    public AttributionWorkflow.Settings settings;
    public Database database;
    public RuntimeOptions runtime;

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(COMMAND,
                "Attributes each page view to the latest ad click of the same user within the attribution window\n"
                        + "and upserts the rows into a database. Reads Kafka (default) or two JSON-lines files.")
                .option("bootstrap-servers", "HOST:PORT", "localhost:9092", "Kafka brokers.")
                .option("clicks-topic", "TOPIC", "ad_clicks", "Topic of ad clicks.")
                .option("page-views-topic", "TOPIC", "page_views", "Topic of page views.");
        Sources.declareKafkaConsumer(cl, "clickflow-attribution", "result");
        cl.option("clicks-file", "PATH", null, "Read clicks from a JSON-lines file (.gz accepted) instead of Kafka; needs --page-views-file.")
                .option("page-views-file", "PATH", null, "Read page views from a JSON-lines file (.gz accepted); needs --clicks-file.")
                .option("attribution-window", "DURATION", "30m", "A click is eligible for a page view up to this long before it (inclusive).")
                .option("emit-mode", "MODE", "on-watermark", "on-watermark: one final row per page view | update: a row at once, updated, then final.")
                .option("out-of-orderness", "DURATION", "5s", "How far event time may go backwards within a Kafka partition or file before a record is late.")
                .option("idle-timeout", "DURATION", "30s", "A partition silent this long stops holding the watermark back (0: never).");
        RuntimeOptions.declareDatabase(cl, "rows");
        RuntimeOptions.declare(cl);
        return cl;
    }

    public static AttributionOptions parse(CommandLine cl) {
        AttributionOptions o = new AttributionOptions();
        o.clicksTopic = cl.string("clicks-topic");
        o.pageViewsTopic = cl.string("page-views-topic");
        boolean clicksFile = cl.isSet("clicks-file");
        boolean viewsFile = cl.isSet("page-views-file");
        if (clicksFile != viewsFile) {
            throw new UsageException("file mode needs both --clicks-file and --page-views-file");
        }
        if (clicksFile) {
            o.clicksFile = existingFile(cl, "clicks-file");
            o.pageViewsFile = existingFile(cl, "page-views-file");
        }
        Duration window = cl.duration("attribution-window");
        if (window.isZero()) {
            throw new UsageException("--attribution-window must be longer than 0");
        }
        o.settings = new AttributionWorkflow.Settings(window, cl.get("emit-mode", EmitMode::parse),
                cl.duration("out-of-orderness"), cl.duration("idle-timeout"));
        o.database = RuntimeOptions.database(cl);
        o.runtime = RuntimeOptions.parse(cl);
        o.kafka = Sources.kafkaInput(cl, o.fileMode());
        return o;
    }

    public boolean fileMode() {
        return clicksFile != null;
    }

    private static Path existingFile(CommandLine cl, String name) {
        Path p = Path.of(cl.string(name));
        if (!Files.isRegularFile(p)) {
            throw new UsageException("--" + name + ": no such file " + p);
        }
        return p;
    }
}
