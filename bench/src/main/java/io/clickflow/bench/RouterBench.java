package io.clickflow.bench;

import io.clickflow.bench.RouterReport.Input;
import io.clickflow.bench.RouterReport.Row;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.io.KafkaSinks;
import io.clickflow.route.Destinations;
import io.clickflow.route.RouteTraffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code ./clickflow bench router}: the router on this machine, side by side in one run over the same pre-filled
 * input: the copy ceiling (plain consumer to producer), {@code ./clickflow route} exactly-once and at-least-once,
 * and the Kafka Streams peer; records/s and MB/s each with its output counted exactly, then append-to-visible
 * latency at a fixed rate. Every contender in its own JVM against one broker.
 */
@Command(
        name = "router",
        description = {
            "Measures ./clickflow route on this machine in one run: the copy ceiling (plain consumer -> producer),",
            "the router exactly-once and at-least-once, and a Kafka Streams peer of the same topology: records/s",
            "and MB/s over the same pre-filled input, then append-to-visible latency (read_committed) at a fixed rate."
        })
public final class RouterBench implements Callable<Integer> {
    static final List<String> THROUGHPUT_CASES = List.of("ceiling", "exactly-once", "at-least-once", "kafka-streams");
    static final List<String> LATENCY_CASES = List.of(
            "latency-exactly-once",
            "latency-at-least-once",
            "latency-kafka-streams",
            "latency-exactly-once-defaults",
            "latency-kafka-streams-defaults");
    static final List<String> ALL_CASES =
            Stream.concat(THROUGHPUT_CASES.stream(), LATENCY_CASES.stream()).toList();

    static final String INPUT = "router.input";
    /** The destinations' names (the seed's style); more than these are DEST9, DEST10, ... */
    static final List<String> NAMES =
            List.of("FINANCE", "RETAIL", "LOGISTICS", "MARKETING", "HEALTH", "LEGAL", "SUPPORT", "BILLING");
    /** The share of events whose payload carries a nested "destinations" decoy. */
    static final double DECOY_FRACTION = 0.05;

    static final String DEAD_LETTERS = "dead-letters";
    static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    @Option(
            names = "--records",
            paramLabel = "N",
            defaultValue = "1000000",
            description = "Records pre-filled into the input topic, read by every throughput contender.")
    long records;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of the input topic.")
    int partitions;

    @Option(
            names = "--destinations",
            paramLabel = "N",
            defaultValue = "4",
            description = "Destinations, each its own topic (plus the dead-letter topic); each event names 1-3.")
    int destinations;

    @Option(
            names = "--output-partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of every destination topic and of the dead-letter topic.")
    int outputPartitions;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "0",
            description = "The router's --parallelism, the ceiling's consumer threads and Kafka Streams' "
                    + "num.stream.threads (0: --partitions).")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "1s",
            description = "The router's --checkpoint-interval, and commit.interval.ms of Kafka Streams.")
    Duration checkpointInterval;

    @Option(
            names = "--transaction-naming",
            paramLabel = "STRATEGY",
            defaultValue = "pooling",
            description = "The router's --transaction-naming (pooling | incrementing), to compare them.")
    KafkaSinks.TransactionNaming transactionNaming;

    @Option(names = "--tenants", paramLabel = "N", defaultValue = "1000", description = "Distinct producers (keys).")
    int tenants;

    @Option(
            names = "--unconfigured-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.01",
            description = "Events that also name a destination nobody configured (a dead letter each).")
    double unconfiguredFraction;

    @Option(
            names = "--malformed-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.01",
            description = "Events that are not routable (bad JSON, no or empty destinations).")
    double malformedFraction;

    @Option(
            names = "--latency-rate",
            paramLabel = "N",
            defaultValue = "5000",
            description = "Records per second appended (open loop) while latency is measured.")
    int latencyRate;

    @Option(
            names = "--latency-duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "How long latency is measured per contender, after --latency-warmup.")
    Duration latencyDuration;

    @Option(
            names = "--latency-warmup",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description =
                    "Appends at the rate before latency is measured, not counted in it (the JIT, first transactions).")
    Duration latencyWarmup;

    @Option(
            names = "--job-heap",
            paramLabel = "SIZE",
            defaultValue = "1g",
            description = "-Xmx of each contender's JVM.")
    String jobHeap;

    @Option(
            names = "--cases",
            paramLabel = "LIST",
            defaultValue = "ceiling,exactly-once,at-least-once,kafka-streams,latency-exactly-once,"
                    + "latency-at-least-once,latency-kafka-streams,latency-exactly-once-defaults,"
                    + "latency-kafka-streams-defaults",
            description = "Which cases to run, comma-separated.")
    String cases;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (broker data, checkpoints, logs, results.csv) goes.")
    Path out;

    private BenchRun run;

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        if (records < 1000 || records > 1_000_000_000L) {
            throw new UsageException("--records: must be from 1000 to 1000000000, not " + records);
        }
        Cli.range("--partitions", partitions, 1, 64);
        Cli.range("--destinations", destinations, 1, 32);
        Cli.range("--output-partitions", outputPartitions, 1, 64);
        Cli.range("--parallelism", parallelism, 0, 64);
        Cli.range("--tenants", tenants, 1, 10_000_000);
        Cli.fraction("--unconfigured-fraction", unconfiguredFraction);
        Cli.fraction("--malformed-fraction", malformedFraction);
        if (unconfiguredFraction + malformedFraction > 1) {
            throw new UsageException("--unconfigured-fraction + --malformed-fraction: must be at most 1");
        }
        Cli.range("--latency-rate", latencyRate, 1, 1_000_000);
        if (checkpointInterval.toMillis() < 10) {
            // route's own floor (RuntimeOptions): below it Flink's checkpoint coordinator is all there is
            throw new UsageException(
                    "--checkpoint-interval: must be at least 10ms, not " + Durations.format(checkpointInterval));
        }
        if (latencyDuration.toMillis() < 1000) {
            throw new UsageException(
                    "--latency-duration: must be at least 1s, not " + Durations.format(latencyDuration));
        }
        if (latencyWarmup.isNegative()) {
            throw new UsageException("--latency-warmup: must be 0 or more");
        }
        BenchOptions.cases(cases, ALL_CASES);
        BenchOptions.checkHeap(jobHeap);
    }

    int parallelism() {
        return parallelism == 0 ? partitions : parallelism;
    }

    /** The destinations' names, as configured. */
    List<String> names() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < destinations; i++) {
            names.add(i < NAMES.size() ? NAMES.get(i) : "DEST" + (i + 1));
        }
        return names;
    }

    RouteTraffic.Config traffic(long seed) {
        return new RouteTraffic.Config(names(), tenants, unconfiguredFraction, malformedFraction, DECOY_FRACTION, seed);
    }

    /** The contender's topics: one per destination and the dead-letter topic, named with its prefix. */
    String topic(String prefix, String name) {
        return prefix + "." + name.toLowerCase(Locale.ROOT);
    }

    List<String> outputTopics(String prefix) {
        List<String> topics = new ArrayList<>();
        for (String n : names()) {
            topics.add(topic(prefix, n));
        }
        topics.add(topic(prefix, DEAD_LETTERS));
        return topics;
    }

    /** {@code --destinations} of a contender: each name to its own topic. */
    String destinationsJson(String prefix) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        for (String n : names()) {
            root.putObject(n).put("output_topic", topic(prefix, n));
        }
        return root.toString();
    }

    @Override
    public Integer call() throws Exception {
        check();
        Set<String> cases = BenchOptions.cases(this.cases, ALL_CASES);
        String machine = BenchRun.machine();
        String setup = String.format(
                Locale.ROOT,
                "%,d records, %d input partitions, %d destinations x %d partitions, parallelism %d, "
                        + "checkpoint/commit interval %s, latency at %,d records/s for %s after %s",
                records,
                partitions,
                destinations,
                outputPartitions,
                parallelism(),
                Durations.format(checkpointInterval),
                latencyRate,
                Durations.format(latencyDuration),
                Durations.format(latencyWarmup));
        System.out.println("clickflow bench router: " + setup + "; " + machine);
        Map<String, Row> rows = new LinkedHashMap<>();
        Input input = null;
        try (BenchRun run = BenchRun.start(out, "router", "router-results.csv");
                KafkaBroker broker = KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
            this.run = run;
            System.out.println("Run folder: " + run.folder + "; load on the machine before: " + BenchRun.loadAverage());
            String bs = broker.bootstrapServers();
            if (cases.stream().anyMatch(THROUGHPUT_CASES::contains)) {
                BenchKafka.createTopics(bs, partitions, Map.of(), INPUT);
                input = prefill(bs);
            }
            for (String c : THROUGHPUT_CASES) {
                if (cases.contains(c)) {
                    rows.put(c, throughput(c, bs, broker.pid(), input));
                }
            }
            for (String c : LATENCY_CASES) {
                if (cases.contains(c)) {
                    String contender = c.substring("latency-".length());
                    Row r = rows.computeIfAbsent(contender, k -> {
                        Row n = new Row();
                        n.name = k;
                        n.label = label(k);
                        return n;
                    });
                    latency(c, contender, bs, r);
                }
            }
        }
        List<Row> table = new ArrayList<>(rows.values());
        System.out.println();
        RouterReport.print(System.out, table, input, machine, setup, checkpointInterval);
        run.saveCsv(RouterReport.csv(table));
        return 0;
    }

    static String label(String contender) {
        return switch (contender) {
            case "ceiling" -> "ceiling (consumer -> producer, no transactions)";
            case "exactly-once" -> "clickflow route, exactly-once";
            case "at-least-once" -> "clickflow route, at-least-once";
            case "kafka-streams" -> "Kafka Streams 4.2, exactly_once_v2";
            case "exactly-once-defaults" -> "clickflow route, exactly-once, as shipped";
            case "kafka-streams-defaults" -> "Kafka Streams 4.2, exactly_once_v2, its defaults";
            default -> contender;
        };
    }

    // ---- the input ---------------------------------------------------------------------------------------------

    /** Generates the input once (seed 42) and counts the copies the router's rule makes, per destination. */
    private Input prefill(String bs) throws Exception {
        System.out.printf("Pre-filling %,d records into %s...%n", records, INPUT);
        RouteTraffic traffic = new RouteTraffic(traffic(42));
        RouteFanout fanout = countingFanout();
        Map<String, Long> expected = new LinkedHashMap<>();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        AtomicReference<Exception> failure = new AtomicReference<>();
        long bytes = 0;
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long n = 0; n < records && failure.get() == null; n++) {
                RouteTraffic.Event e = traffic.next();
                bytes += e.key().length + e.value().length;
                fanout.route(e.value(), "", (topic, headers) -> expected.merge(topic, 1L, Long::sum));
                producer.send(RouteLatency.record(INPUT, e), (md, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        long inTopic = BenchKafka.recordCount(bs, partitions, INPUT);
        if (inTopic != records) {
            throw new IllegalStateException("the input topic holds " + inTopic + " records, not " + records);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Input in = new Input(records, bytes, expected);
        System.out.printf(
                Locale.ROOT,
                "  %,d records (%s of keys and values) in %.1f s; the rule makes %,d copies: %s%n",
                records,
                Table.mb(bytes),
                seconds,
                in.outputs(),
                expected);
        return in;
    }

    /** The rule with each destination's "topic" being its name: counts per destination. */
    private RouteFanout countingFanout() {
        return new RouteFanout(Destinations.parse(destinationsJson("")), topic("", DEAD_LETTERS));
    }

    // ---- throughput --------------------------------------------------------------------------------------------

    private Row throughput(String c, String bs, long brokerPid, Input input) throws Exception {
        String prefix = "router." + c;
        List<String> outputs = outputTopics(prefix);
        BenchKafka.createTopics(bs, outputPartitions, Map.of(), outputs.toArray(String[]::new));
        Row r = new Row();
        r.name = c;
        r.label = label(c);
        System.out.println(r.label + "...");
        long broker0 = BenchCase.processCpuNanos(brokerPid);
        JsonNode result = ChildJvm.runCase(kind(c), List.of(), options(c, prefix, bs, true), jobHeap, run.log, null);
        r.brokerCpuSeconds = (BenchCase.processCpuNanos(brokerPid) - broker0) / 1e9;
        r.records = input.records();
        r.inputBytes = input.bytes();
        r.nanos = result.path("nanos").asLong();
        r.cpuSeconds = result.path("cpuNanos").asLong() / 1e9;
        r.peakRss = result.path("peakRssBytes").asLong(-1);
        r.checkpoints = result.path("checkpoints").asLong(-1);
        Map<String, Long> counted = countCommitted(bs, outputs);
        r.outputs = counted.values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<String, Long> e : input.expected().entrySet()) {
            String topic = prefix + e.getKey();
            long got = counted.getOrDefault(topic, 0L);
            if (got != e.getValue()) {
                throw new IllegalStateException(String.format(
                        Locale.ROOT,
                        "%s: %s holds %,d records (read_committed), expected %,d; all its topics: %s",
                        r.label,
                        topic,
                        got,
                        e.getValue(),
                        counted));
            }
        }
        System.out.printf(
                Locale.ROOT,
                "  %,.0f records/s, %.1f MB/s (%.1f s), %,d copies as expected, CPU %.1f s (broker %.1f s)%n",
                r.perSecond(),
                r.mbPerSecond(),
                r.nanos / 1e9,
                r.outputs,
                r.cpuSeconds,
                r.brokerCpuSeconds);
        return r;
    }

    private static String kind(String contender) {
        return switch (contender) {
            case "ceiling" -> "route-ceiling";
            case "kafka-streams", "kafka-streams-defaults" -> "kafka-streams";
            default -> "route";
        };
    }

    /** The contender's command line: {@code ./clickflow route}'s options, or the peers' own. */
    private List<String> options(String contender, String prefix, String bs, boolean bounded) throws IOException {
        String inputTopic = bounded ? INPUT : prefix + ".input";
        String deadLetters = topic(prefix, DEAD_LETTERS);
        boolean defaults = contender.endsWith("-defaults");
        if (contender.equals("ceiling") || contender.startsWith("kafka-streams")) {
            return PeerArgs.args(
                    bs,
                    inputTopic,
                    destinationsJson(prefix),
                    deadLetters,
                    parallelism(),
                    // Kafka Streams' own default commit.interval.ms (100 ms with exactly_once_v2).
                    defaults ? -1 : checkpointInterval.toMillis(),
                    "bench-" + prefix.replace('.', '-'),
                    run.resolve("streams/" + prefix).toString(),
                    bounded);
        }
        List<String> o = new ArrayList<>(List.of(
                "--bootstrap-servers",
                bs,
                "--input-topic",
                inputTopic,
                "--destinations",
                destinationsJson(prefix),
                "--dead-letter-topic",
                deadLetters,
                "--output-delivery",
                defaults ? "exactly-once" : contender,
                "--group-id",
                "bench-" + prefix.replace('.', '-'),
                "--starting-offsets",
                "earliest",
                "--parallelism",
                Integer.toString(parallelism()),
                "--checkpoint-dir",
                run.resolve("checkpoints/" + prefix).toString(),
                "--web-port",
                Integer.toString(ChildProcesses.freePort())));
        if (!defaults) {
            // As shipped: route's own --checkpoint-interval and --transaction-naming.
            o.addAll(List.of(
                    "--checkpoint-interval",
                    Durations.format(checkpointInterval),
                    "--transaction-naming",
                    Cli.name(transactionNaming)));
        }
        if (bounded) {
            o.add("--bounded");
        }
        return o;
    }

    /**
     * Records per topic as a read_committed consumer sees them, read from the start until its position passes every
     * partition's end (aborted records and transaction markers are skipped on the way).
     */
    static Map<String, Long> countCommitted(String bs, List<String> topics) throws Exception {
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(60, TimeUnit.SECONDS)
                    .forEach((t, d) -> d.partitions()
                            .forEach(p -> request.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
            admin.listOffsets(request).all().get(60, TimeUnit.SECONDS).forEach((tp, o) -> ends.put(tp, o.offset()));
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Map<String, Long> counts = new LinkedHashMap<>();
        topics.forEach(t -> counts.put(t, 0L));
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>(ends.keySet());
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (partitions.stream().anyMatch(p -> c.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the outputs were not all readable (read_committed) within 2 "
                            + "minutes after the contender ended: a transaction left open?");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    counts.merge(r.topic(), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    // ---- latency -----------------------------------------------------------------------------------------------

    private void latency(String c, String contender, String bs, Row r) throws Exception {
        String prefix = "latency." + contender;
        String inputTopic = prefix + ".input";
        List<String> outputs = outputTopics(prefix);
        // The input's timestamps are the broker's append times; every contender copies them to its outputs.
        BenchKafka.createTopics(bs, partitions, Map.of("message.timestamp.type", "LogAppendTime"), inputTopic);
        BenchKafka.createTopics(bs, outputPartitions, Map.of(), outputs.toArray(String[]::new));
        System.out.printf(
                Locale.ROOT,
                "%s: latency at %,d records/s for %s after %s...%n",
                label(contender),
                latencyRate,
                Durations.format(latencyDuration),
                Durations.format(latencyWarmup));
        Process p = ChildJvm.startServing(
                kind(contender),
                options(contender, prefix, bs, false),
                jobHeap,
                run.log,
                run.resolve(c + ".log"),
                START_TIMEOUT);
        run.child(p);
        RouteLatency.Result l;
        try {
            l = RouteLatency.measure(
                    bs,
                    inputTopic,
                    outputs,
                    new RouteTraffic(traffic(7)),
                    new RouteFanout(Destinations.parse(destinationsJson(prefix)), topic(prefix, DEAD_LETTERS)),
                    latencyRate,
                    latencyWarmup,
                    latencyDuration);
        } finally {
            ChildJvm.stop(p);
        }
        r.p50 = l.millis().getValueAtPercentile(50);
        r.p99 = l.millis().getValueAtPercentile(99);
        r.max = l.millis().getMaxValue();
        r.latencyNote = String.format(
                Locale.ROOT,
                "%,d records at %,.0f/s achieved, %,d copies measured, %,d of %,d expected copies seen",
                l.produced(),
                l.achievedRate(),
                l.millis().getTotalCount(),
                l.seen(),
                l.expected());
        System.out.printf(
                Locale.ROOT,
                "  append -> visible (read_committed): p50 %.0f ms, p99 %.0f ms, max %.0f ms (%s)%n",
                r.p50,
                r.p99,
                r.max,
                r.latencyNote);
        if (l.seen() != l.expected()) {
            throw new IllegalStateException(String.format(
                    Locale.ROOT,
                    "%s: %,d copies seen in the destination topics, expected %,d (%s after the last append)",
                    label(contender),
                    l.seen(),
                    l.expected(),
                    Durations.format(RouteLatency.DRAIN)));
        }
    }
}
