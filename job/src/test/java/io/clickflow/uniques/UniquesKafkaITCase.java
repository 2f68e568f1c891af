package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.Sketches;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The uniques job as the command wires it (options parsed from a command line), against a real Kafka
 * broker: frames on a topic of three partitions, counts to an output topic and SQLite, read back and
 * compared with brute force.
 */
class UniquesKafkaITCase {
    static final int PARTITIONS = 3;
    static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
    static final long START_SECONDS = Instant.parse("2024-01-01T00:57:00Z").getEpochSecond();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    /** A missing topic is named with the option that sets it, whichever of the job's topics it is. */
    @Test
    @Timeout(60)
    void aMissingTopicIsNamedWithItsOption() throws Exception {
        KAFKA.createTopics(1, "frames-present");
        assertThatThrownBy(() -> KafkaPreflight.checkTopics(
                        KAFKA.bootstrapServers(),
                        List.of(
                                new KafkaPreflight.Topic("frames-present", "--frames-topic"),
                                new KafkaPreflight.Topic("counts-missing", "--output-topic"))))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(
                        "topic 'counts-missing' (--output-topic) does not exist at " + KAFKA.bootstrapServers());
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @CsvSource({"exact, update, exactly-once", "hll, on-watermark, at-least-once"})
    @Timeout(180)
    void countsReachTheOutputTopicAndTheTable(String count, String emitMode, String delivery, @TempDir Path dir)
            throws Exception {
        int n = TOPIC_SEQUENCE.incrementAndGet();
        String framesTopic = "frames-" + n;
        String outputTopic = "unique-users-" + n;
        KAFKA.createTopics(PARTITIONS, framesTopic, outputTopic);
        GeneratedFrames input = GeneratedFrames.generate(n, 10_000, 2000, START_SECONDS, 40, 3, 0, Duration.ZERO, 500);
        KAFKA.produce(input.messages(framesTopic, PARTITIONS));

        UniquesOptions options = UniquesCommand.parse(new String[] {
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--frames-topic",
            framesTopic,
            "--group-id",
            "uniques-" + n,
            "--starting-offsets",
            "earliest",
            "--bounded",
            "--windows",
            "1m,1h",
            "--count",
            count,
            "--emit-mode",
            emitMode,
            "--update-interval",
            "100ms",
            "--output-topic",
            outputTopic,
            "--output-delivery",
            delivery,
            "--jdbc-url",
            "jdbc:sqlite:" + dir.resolve("clickflow.db"),
            "--checkpoint-dir",
            dir.resolve("checkpoints").toString()
        });
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        UniquesJob.build(env, options);
        env.execute("uniques kafka test");

        Map<String, Long> expected = input.distinctUsers(WINDOWS);
        double tolerance = count.equals("hll") ? 3 * Sketches.relativeStandardError(14) : 0;

        // The topic: the highest-ranked record of each key, as a consumer applying the rows would keep.
        Map<String, JsonNode> latest = new HashMap<>();
        List<KafkaTestBroker.Read> records = KAFKA.readCommitted(outputTopic);
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (KafkaTestBroker.Read r : records) {
            JsonNode row = JSON.readTree(r.value());
            assertThat(partitionOfKey.computeIfAbsent(r.key(), k -> r.partition()))
                    .as("one window, one partition")
                    .isEqualTo(r.partition());
            assertThat(r.key())
                    .isEqualTo(row.get("window_seconds").asLong() + "s/"
                            + row.get("window_start").asText());
            latest.merge(r.key(), row, (a, b) -> rank(b) > rank(a) ? b : a);
        }
        Map<String, Long> fromTopic = new HashMap<>();
        latest.forEach((key, row) -> {
            assertThat(row.get("is_final").asBoolean()).as(key).isTrue();
            Instant start = Instant.parse(row.get("window_start").asText());
            Instant end = Instant.parse(row.get("window_end").asText());
            assertThat(Duration.between(start, end).toSeconds())
                    .isEqualTo(row.get("window_seconds").asLong());
            assertThat(row.get("lower_bound").asLong())
                    .isLessThanOrEqualTo(row.get("unique_users").asLong());
            assertThat(row.get("upper_bound").asLong())
                    .isGreaterThanOrEqualTo(row.get("unique_users").asLong());
            fromTopic.put(
                    row.get("window_seconds").asLong() + "s@" + start.getEpochSecond(),
                    row.get("unique_users").asLong());
        });
        assertThat(fromTopic.keySet()).isEqualTo(expected.keySet());
        expected.forEach((window, users) -> assertThat((double) Math.abs(fromTopic.get(window) - users))
                .as(window)
                .isLessThanOrEqualTo(tolerance * users));
        // One window's records are in one partition in emission order: the last one is its final count.
        // (Whether provisional ones precede it depends on how fast the bounded input is read; the
        // harness tests pin update semantics down.)
        Map<String, KafkaTestBroker.Read> last = new HashMap<>();
        records.forEach(r -> last.merge(r.key(), r, (a, b) -> b.offset() > a.offset() ? b : a));
        assertThat(last.values()).allMatch(r -> r.value().contains("\"is_final\":true"));
        if (emitMode.equals("on-watermark")) {
            assertThat(records).allMatch(r -> r.value().contains("\"is_final\":true"));
        }

        // The table: the same counts.
        Database db = options.database;
        Map<String, ResultTables.UniqueUsersRow> table = ResultTables.uniqueUsers(db);
        assertThat(table.keySet()).isEqualTo(expected.keySet());
        table.forEach((window, row) -> assertThat(row.uniqueUsers()).as(window).isEqualTo(fromTopic.get(window)));
        assertThat(ResultTables.rejected(db).values())
                .hasSize(10_000 / 500)
                .allSatisfy(r -> assertThat(r.position()).matches("0:\\d+"));
    }

    /** The order the table's upsert keeps rows in: final first, then more users. */
    static long rank(JsonNode row) {
        return (row.get("is_final").asBoolean() ? 1L << 40 : 0)
                + row.get("unique_users").asLong();
    }
}
