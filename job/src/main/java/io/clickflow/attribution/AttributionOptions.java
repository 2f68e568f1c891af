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
import java.util.Properties;

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
                .option("page-views-topic", "TOPIC", "page_views", "Topic of page views.")
                .option("group-id", "ID", "clickflow-attribution", "Kafka consumer group; offsets are committed to it on each checkpoint.")
                .option("starting-offsets", "WHERE", "committed", "committed | earliest | latest: where to start without a checkpoint (committed falls back to earliest).")
                .flag("bounded", "Kafka: stop at the offsets that are the latest when the job starts, then finish every result.")
                .option("clicks-file", "PATH", null, "Read clicks from a JSON-lines file (.gz accepted) instead of Kafka; needs --page-views-file.")
                .option("page-views-file", "PATH", null, "Read page views from a JSON-lines file (.gz accepted); needs --clicks-file.")
                .option("attribution-window", "DURATION", "30m", "A click is eligible for a page view up to this long before it (inclusive).")
                .option("emit-mode", "MODE", "on-watermark", "on-watermark: one final row per page view | update: a row at once, updated, then final.")
                .option("out-of-orderness", "DURATION", "5s", "How far event time may go backwards within a Kafka partition or file before a record is late.")
                .option("idle-timeout", "DURATION", "30s", "A partition silent this long stops holding the watermark back (0: never).")
                .option("jdbc-url", "URL", "jdbc:sqlite:output/clickflow.db", "Where rows go: jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB.")
                .option("jdbc-user", "USER", null, "Database user (or env CLICKFLOW_JDBC_USER).")
                .option("jdbc-password", "PASSWORD", null, "Database password (or env CLICKFLOW_JDBC_PASSWORD); never logged.");
        RuntimeOptions.declare(cl);
        return cl;
    }

    public static AttributionOptions parse(CommandLine cl) {
        AttributionOptions o = new AttributionOptions();
        o.clicksTopic = cl.string("clicks-topic");
        o.pageViewsTopic = cl.string("page-views-topic");
        o.kafka = new Sources.KafkaInput(cl.string("bootstrap-servers"), cl.string("group-id"),
                cl.get("starting-offsets", Sources.StartingOffsets::parse), cl.flag("bounded"), new Properties());
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
        if (o.kafka.bounded() && !o.fileMode() && (cl.flag("resume") || cl.isSet("from-savepoint"))) {
            // Flink's bounded KafkaSource never signals its end after a restore (FLINK-31006): the job would hang.
            throw new UsageException("--bounded cannot be combined with --resume/--from-savepoint (a restored bounded "
                    + "Kafka source never finishes, FLINK-31006); resume without --bounded");
        }
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
