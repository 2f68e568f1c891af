package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attribution pipeline against a real Kafka broker: topics of three partitions of which one stays
 * empty, parallelism 2, results read back from SQLite and compared with brute force.
 */
class AttributionKafkaITCase {
    static final int PARTITIONS = 3;
    /** Data goes to partitions 0 and 1 of both topics; partition 2 never gets a record. */
    static final int ACTIVE_PARTITIONS = 2;

    static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();
    /** Long enough that a partition with data never looks idle on a busy 2-core machine. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    record Topics(String clicks, String views) {}

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    @Timeout(180)
    void boundedReadOfTopicsMatchesBruteForce(EmitMode mode, @TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(config(mode.ordinal()), 20_000);
        Topics topics = newTopics();
        KAFKA.produce(messages(input, topics));
        Database db = AttributionPipelines.sqlite(dir);

        // Bounded: no idleness needed, an empty partition's split simply ends.
        AttributionPipelines.runAttribution(
                AttributionPipelines.settings(mode, Duration.ofSeconds(5), Duration.ZERO),
                Sources.kafka(kafkaInput(true), topics.clicks(), new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.kafka(kafkaInput(true), topics.views(), new PageViewDecoder(), PageViewDecoder.TYPE),
                db);

        assertThat(ResultTables.count(db, "late_events")).as("late events").isZero();
        BruteForceAttribution.assertTableMatches(input, db);
        assertThat(ResultTables.rejected(db).values())
                .hasSize((int) input.malformedCount())
                .allSatisfy(r -> assertThat(r.position()).matches("[01]:\\d+"));
    }

    /**
     * Unbounded, on-watermark: rows only appear once the watermark passes them, which needs the empty
     * partition to be declared idle. A last click and view per active partition, an hour later than
     * everything else, moves the watermark past all real events. The job starts before any data
     * exists, so no partition with data can look idle while another one races ahead.
     */
    @Test
    @Timeout(180)
    void anIdlePartitionDoesNotStallFinalResults(@TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(config(11), 10_000);
        Topics topics = newTopics();
        List<KafkaTestBroker.Message> messages = new ArrayList<>(messages(input, topics));
        messages.addAll(GeneratedInput.flushMessages(input, topics.clicks(), topics.views(), ACTIVE_PARTITIONS));
        Database db = AttributionPipelines.sqlite(dir);

        StreamExecutionEnvironment env = AttributionPipelines.environment();
        AttributionWorkflow.defineWorkflow(
                env,
                AttributionPipelines.settings(EmitMode.ON_WATERMARK, Duration.ofSeconds(5), IDLE_TIMEOUT),
                Sources.kafka(kafkaInput(false), topics.clicks(), new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.kafka(kafkaInput(false), topics.views(), new PageViewDecoder(), PageViewDecoder.TYPE),
                AttributionJob.jdbcSinks(db, AttributionPipelines.PARALLELISM));
        JobClient job = env.executeAsync("attribution with an idle partition");
        try {
            Waits.until(() -> isRunning(job), Duration.ofSeconds(60), "the job did not start");
            KAFKA.produce(messages);
            long expectedRows =
                    input.views.stream().map(v -> v.pageViewId).distinct().count();
            Waits.until(
                    () -> ResultTables.finalRowsOrMinusOne(db) >= expectedRows,
                    Duration.ofSeconds(120),
                    "the final rows of all " + expectedRows
                            + " page views did not appear: an idle partition stalls the watermark?");
        } finally {
            job.cancel().get();
        }
        Map<String, ResultTables.Row> rows = ResultTables.attributed(db);
        rows.keySet().removeIf(id -> id.startsWith(GeneratedInput.FLUSH_PREFIX));
        assertThat(ResultTables.count(db, "late_events")).as("late events").isZero();
        BruteForceAttribution.assertTableMatches(input, rows);
    }

    static boolean isRunning(JobClient job) {
        try {
            return job.getJobStatus().get() == JobStatus.RUNNING;
        } catch (Exception e) {
            return false;
        }
    }

    static ClickstreamGenerator.Config config(long seed) {
        return ClickstreamGenerator.Config.defaults()
                .withSeed(seed)
                .withUsers(800)
                .withEventsPerSecond(10)
                .withClickRatio(0.15)
                .withMaxDisorderMillis(3000)
                .withMalformedFraction(0.003)
                .withDuplicateFraction(0.01);
    }

    static Topics newTopics() throws Exception {
        int n = TOPIC_SEQUENCE.incrementAndGet();
        Topics topics = new Topics("ad_clicks_" + n, "page_views_" + n);
        KAFKA.createTopics(PARTITIONS, topics.clicks(), topics.views());
        return topics;
    }

    /** Keyed by user; only the first {@link #ACTIVE_PARTITIONS} partitions get data, so one stays empty. */
    static List<KafkaTestBroker.Message> messages(GeneratedInput input, Topics topics) {
        return GeneratedInput.messages(input, topics.clicks(), topics.views(), ACTIVE_PARTITIONS);
    }

    static Sources.KafkaInput kafkaInput(boolean bounded) {
        return new Sources.KafkaInput(
                KAFKA.bootstrapServers(),
                "it-" + TOPIC_SEQUENCE.get(),
                Sources.StartingOffsets.EARLIEST,
                bounded,
                new Properties());
    }
}
