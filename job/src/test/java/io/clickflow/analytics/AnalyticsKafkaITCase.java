package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.Sketches;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The analytics job as the command wires it (options parsed from a command line), against a real Kafka broker:
 * events keyed by user on a topic of three partitions, as API servers write them, a bounded read, hourly_stats in
 * SQLite read back and compared with brute force.
 */
class AnalyticsKafkaITCase {
    static final int PARTITIONS = 3;
    static final int EVENTS = 10_000;
    static final int MALFORMED_EVERY = 500;
    static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();
    static final long START = Instant.parse("2024-01-01T00:57:00Z").toEpochMilli();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"exact, update", "hll, on-watermark"})
    @Timeout(180)
    void hourlyStatsMatchBruteForce(String count, String emitMode, @TempDir Path dir) throws Exception {
        int n = TOPIC_SEQUENCE.incrementAndGet();
        String topic = "analytics-events-" + n;
        KAFKA.createTopics(PARTITIONS, topic);
        GeneratedAnalytics input = GeneratedAnalytics.generate(n, EVENTS, 2000, START, 40, 0.05, MALFORMED_EVERY);
        List<KafkaTestBroker.Message> messages = new ArrayList<>();
        for (int i = 0; i < input.lines.size(); i++) {
            UserAction e = input.events.get(i);
            // Keyed by user as the API servers write them; the malformed ones to partition 0.
            int partition = e == null ? 0 : Math.floorMod(e.user.hashCode(), PARTITIONS);
            messages.add(new KafkaTestBroker.Message(
                    topic,
                    partition,
                    e == null ? null : e.user,
                    input.lines.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        KAFKA.produce(messages);

        AnalyticsOptions options = AnalyticsCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--events-topic",
                topic,
                "--group-id",
                "analytics-" + n,
                "--starting-offsets",
                "earliest",
                "--bounded",
                "--count",
                count,
                "--emit-mode",
                emitMode,
                "--update-interval",
                "100ms",
                "--jdbc-url",
                "jdbc:sqlite:" + dir.resolve("clickflow.db"),
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        assertThat(options.settings.counting().allowedLatenessMillis()).isEqualTo(24 * 3_600_000L);
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        AnalyticsJob.build(env, options);
        env.execute("analytics kafka test");

        Database db = options.database;
        Map<String, AnalyticsTraffic.Hour> expected = input.perHour();
        Map<String, AnalyticsFileReplayITCase.Row> table = AnalyticsFileReplayITCase.hourlyStats(db);
        assertThat(table.keySet()).isEqualTo(expected.keySet());
        assertThat(table.values()).allMatch(AnalyticsFileReplayITCase.Row::isFinal);
        double tolerance = count.equals("hll") ? 3 * Sketches.relativeStandardError(14) : 0;
        expected.forEach((hour, want) -> {
            AnalyticsFileReplayITCase.Row row = table.get(hour);
            assertThat(row.clicks()).as(hour + " clicks").isEqualTo(want.clicks());
            assertThat(row.impressions()).as(hour + " impressions").isEqualTo(want.impressions());
            assertThat((double) Math.abs(row.users() - want.users()))
                    .as(hour + " users")
                    .isLessThanOrEqualTo(tolerance * want.users());
        });
        assertThat(ResultTables.rejected(db).values())
                .hasSize(input.malformed())
                .allSatisfy(r -> assertThat(r.position()).matches("0:\\d+"));
        assertThat(ResultTables.count(db, "late_events")).isZero();
    }
}
