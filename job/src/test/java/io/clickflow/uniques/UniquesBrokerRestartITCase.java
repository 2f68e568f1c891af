package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.CountMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.BrokerRestart;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kafka broker (a real child process) is stopped and started again under the running uniques job (wired from its
 * command line: update mode, exact, exactly-once output topic): frames produced before and after the restart are all
 * counted; the table and the output topic (its last record per window, read {@code read_committed}) equal brute
 * force.
 */
class UniquesBrokerRestartITCase {
    static final int PARTITIONS = 2;
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
    static final long START_SECONDS = Instant.parse("2024-01-01T00:58:00Z").getEpochSecond();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @Test
    @Timeout(300)
    void theCountsSurviveABrokerRestart(@TempDir Path dir) throws Exception {
        GeneratedFrames input = GeneratedFrames.generate(43, 8_000, 2000, START_SECONDS, 40, 3, 0, Duration.ZERO, 500);
        int half = input.lines.size() / 2;
        List<KafkaTestBroker.Message> after =
                new ArrayList<>(input.messages("frames", PARTITIONS, half, input.lines.size()));
        after.addAll(input.flushMessages("frames", PARTITIONS));
        Map<String, Long> expected = input.distinctUsers(WINDOWS);
        long flush = input.flushStartSeconds();
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));

        BrokerRestart restart = BrokerRestart.in(dir);
        restart.topics(PARTITIONS, "frames", "unique_users")
                .before(input.messages("frames", PARTITIONS, 0, half))
                .after(after)
                .restartWhen(() -> UniquesResults.finalRowsOrMinusOne(db, flush) > 0, "no final row")
                .doneWhen(
                        () -> UniquesResults.tableMatches(db, flush, expected, CountMode.EXACT)
                                && UniquesResults.topicMatches(
                                        KafkaTestBroker.readCommitted(restart.bootstrapServers(), "unique_users"),
                                        flush,
                                        expected,
                                        CountMode.EXACT),
                        Duration.ofSeconds(180),
                        "the table and the output topic do not equal brute force")
                .run(
                        bootstrap -> define(bootstrap, dir).executeAsync("uniques through a broker restart"),
                        bootstrap -> {
                            Map<String, ResultTables.UniqueUsersRow> table = UniquesResults.table(db, flush);
                            assertThat(UniquesResults.mismatch(
                                            UniquesResults.finalCounts(table), expected, CountMode.EXACT))
                                    .as("the table")
                                    .isNull();
                            Map<String, Long> fromTopic = new HashMap<>();
                            Map<String, JsonNode> last = UniquesResults.lastInTopic(
                                    KafkaTestBroker.readCommitted(bootstrap, "unique_users"), flush);
                            last.forEach((window, row) -> {
                                assertThat(row.get("is_final").asBoolean())
                                        .as(window)
                                        .isTrue();
                                fromTopic.put(window, row.get("unique_users").asLong());
                            });
                            assertThat(UniquesResults.mismatch(fromTopic, expected, CountMode.EXACT))
                                    .as("the output topic")
                                    .isNull();
                            assertThat(ResultTables.count(db, "rejected_events"))
                                    .isEqualTo(8_000 / 500);
                        });
    }

    static StreamExecutionEnvironment define(String bootstrapServers, Path dir) throws Exception {
        UniquesOptions options = UniquesCommand.parse(
                "--bootstrap-servers",
                bootstrapServers,
                "--group-id",
                "restart-test",
                "--starting-offsets",
                "earliest",
                "--idle-timeout",
                "0",
                "--windows",
                "1m,1h",
                "--count",
                "exact",
                "--emit-mode",
                "update",
                "--update-interval",
                "200ms",
                "--output-delivery",
                "exactly-once",
                "--jdbc-url",
                "jdbc:sqlite:" + dir.resolve("clickflow.db"),
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        StreamExecutionEnvironment env = AttributionPipelines.withFixedDelayRestarts(
                AttributionPipelines.environment(), 20, Duration.ofSeconds(1));
        UniquesJob.build(env, options);
        return env;
    }
}
