package io.clickflow.uniques;

import io.clickflow.cli.CommandLine;
import io.clickflow.cli.RuntimeOptions;
import io.clickflow.cli.UsageException;
import io.clickflow.functions.CountMode;
import io.clickflow.functions.EmitMode;
import io.clickflow.functions.UniqueCounting;
import io.clickflow.functions.WindowKeys;
import io.clickflow.io.Database;
import io.clickflow.io.Sources;
import io.clickflow.io.UniquesKafkaOutput;
import io.clickflow.workflows.UniquesWorkflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Every option of {@code ./clickflow uniques}, parsed and checked before anything starts. */
public final class UniquesOptions {
    public static final String COMMAND = "uniques";
    /** --output-topic's default: the {@code unique_users} topic when reading Kafka, none when reading a file. */
    static final String AUTO = "auto";
    static final String DEFAULT_OUTPUT_TOPIC = "unique_users";

    public Sources.KafkaInput kafka;
    public String framesTopic;
    /** Set in file mode, null in Kafka mode. */
    public Path framesFile;
    /** Where counts go on Kafka, or null for the database only. */
    public String outputTopic;
    public UniquesKafkaOutput.Delivery outputDelivery;
    public List<Duration> windows;
    public UniquesWorkflow.Settings settings;
    public Database database;
    public RuntimeOptions runtime;

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(COMMAND,
                "Counts unique users (root-level uid) per tumbling UTC window of event time (root-level ts) in JSON frames,\n"
                        + "exactly or with an HLL sketch, into the unique_users table and a Kafka topic. Reads Kafka (default) or a file.")
                .option("bootstrap-servers", "HOST:PORT", "localhost:9092", "Kafka brokers (input and output topics).")
                .option("frames-topic", "TOPIC", "frames", "Topic of frames.");
        Sources.declareKafkaConsumer(cl, "clickflow-uniques", "window");
        cl.option("frames-file", "PATH", null, "Read frames from a JSON-lines file, or every file in a folder (in parallel), instead of Kafka (.gz accepted); bounded.")
                .option("windows", "LIST", "1m", "Window sizes, comma-separated (e.g. 1m,1h,1d): tumbling, aligned to UTC, whole seconds.")
                .option("count", "MODE", "exact", "exact: every distinct uid of an open window held | hll: HyperLogLog sketches (see --hll-lg-k).")
                .option("hll-lg-k", "N", "14", "hll: log2 of the sketch's registers, 4..21; 14 = 16 KB per sketch, relative standard error 0.81%.")
                .option("emit-mode", "MODE", "on-watermark", "on-watermark: one final count per window | update: provisional counts, then final.")
                .option("update-interval", "DURATION", "1s", "update: a window's provisional count is refreshed at most this often (processing time).")
                .option("out-of-orderness", "DURATION", "5s", "How far event time may go backwards within a Kafka partition or file before a frame is late.")
                .option("allowed-lateness", "DURATION", "1m", "A final count is still corrected (and re-emitted) for frames this late; later ones go to late_events.")
                .option("idle-timeout", "DURATION", "30s", "A partition silent this long stops holding the watermark back (0: never).")
                .option("output-topic", "TOPIC", AUTO, "Kafka topic for the counts as JSON, keyed by window; none: only the database (auto: "
                        + DEFAULT_OUTPUT_TOPIC + " when reading Kafka, none when reading a file).")
                .option("output-delivery", "GUARANTEE", "exactly-once", "exactly-once: Kafka transactions per checkpoint | at-least-once: at once, repeats after a restart.");
        RuntimeOptions.declareDatabase(cl, "counts");
        RuntimeOptions.declare(cl);
        return cl;
    }

    public static UniquesOptions parse(CommandLine cl) {
        UniquesOptions o = new UniquesOptions();
        o.framesTopic = cl.string("frames-topic");
        if (cl.isSet("frames-file")) {
            o.framesFile = Path.of(cl.string("frames-file"));
            if (!Files.isRegularFile(o.framesFile) && !Files.isDirectory(o.framesFile)) {
                throw new UsageException("--frames-file: no such file or folder " + o.framesFile);
            }
        }
        String topic = cl.string("output-topic");
        o.outputTopic = topic.equals(AUTO) ? (o.fileMode() ? null : DEFAULT_OUTPUT_TOPIC) : topic.equals("none") ? null : topic;
        if (o.outputTopic != null && o.outputTopic.isBlank()) {
            throw new UsageException("--output-topic: give a topic name, or none");
        }
        o.outputDelivery = cl.get("output-delivery", UniquesKafkaOutput.Delivery::parse);
        o.windows = cl.get("windows", UniquesOptions::parseWindows);
        CountMode count = cl.get("count", CountMode::parse);
        int lgK = cl.integer("hll-lg-k", 4, 21);
        EmitMode emitMode = cl.get("emit-mode", EmitMode::parse);
        Duration updateInterval = cl.duration("update-interval");
        if (updateInterval.toMillis() < 10) {
            throw new UsageException("--update-interval must be at least 10ms");
        }
        WindowKeys keys = UniquesWorkflow.windowKeys(o.windows, count);
        o.settings = new UniquesWorkflow.Settings(
                new UniqueCounting(keys, count, lgK, emitMode, updateInterval, cl.duration("allowed-lateness")),
                cl.duration("out-of-orderness"), cl.duration("idle-timeout"));
        o.database = RuntimeOptions.database(cl);
        o.runtime = RuntimeOptions.parse(cl);
        o.kafka = Sources.kafkaInput(cl, o.fileMode());
        return o;
    }

    /** {@code 1m,1h,1d}: distinct sizes of whole seconds, at most {@link WindowKeys#MAX_SIZES}. */
    static List<Duration> parseWindows(String list) {
        List<Duration> sizes = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            Duration d = CommandLine.parseDuration(part);
            if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("a window is whole seconds of at least 1s, not '" + part.trim() + "'");
            }
            if (sizes.contains(d)) {
                throw new IllegalArgumentException("window " + part.trim() + " is listed twice");
            }
            sizes.add(d);
        }
        if (sizes.size() > WindowKeys.MAX_SIZES) {
            throw new IllegalArgumentException("at most " + WindowKeys.MAX_SIZES + " window sizes, not " + sizes.size());
        }
        return sizes;
    }

    public boolean fileMode() {
        return framesFile != null;
    }
}
