package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.BrokerRestart;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The Kafka broker (a real child process) is stopped and started again while the job runs; data
 * produced before and after the restart all ends up in the table, exactly as brute force says.
 */
class AttributionBrokerRestartITCase {
    static final int PARTITIONS = 2;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @Test
    @Timeout(300)
    void theJobRecoversFromABrokerRestartAndLosesNothing(@TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                ClickstreamGenerator.Config.defaults()
                        .withSeed(41)
                        .withUsers(2000)
                        .withEventsPerSecond(20)
                        .withClickRatio(0.15)
                        .withMaxDisorderMillis(3000)
                        .withMalformedFraction(0.002)
                        .withDuplicateFraction(0.01),
                40_000);
        List<KafkaTestBroker.Message> all = GeneratedInput.messages(input, "clicks", "views", PARTITIONS);
        List<KafkaTestBroker.Message> before = all.subList(0, all.size() / 2);
        List<KafkaTestBroker.Message> after = new ArrayList<>(all.subList(all.size() / 2, all.size()));
        after.addAll(GeneratedInput.flushMessages(input, "clicks", "views", PARTITIONS));

        Database db = AttributionPipelines.sqlite(dir);
        long expected = input.views.stream().map(v -> v.pageViewId).distinct().count();
        BrokerRestart.in(dir)
                .topics(PARTITIONS, "clicks", "views")
                .before(before)
                .after(after)
                .restartWhen(() -> ResultTables.rowsOrMinusOne(db) > 1000, "no rows")
                .doneWhen(
                        () -> ResultTables.finalRowsOrMinusOne(db) >= expected,
                        Duration.ofSeconds(180),
                        "not every page view got its final row")
                .run(
                        bootstrap -> define(db, bootstrap).executeAsync("attribution through a broker restart"),
                        bootstrap -> {
                            var rows = ResultTables.attributed(db);
                            rows.keySet().removeIf(id -> id.startsWith(GeneratedInput.FLUSH_PREFIX));
                            BruteForceAttribution.assertTableMatches(input, rows);
                            assertThat(ResultTables.count(db, "rejected_events"))
                                    .isEqualTo(input.malformedCount());
                        });
    }

    static StreamExecutionEnvironment define(Database db, String bootstrapServers) {
        StreamExecutionEnvironment env = AttributionPipelines.withFixedDelayRestarts(
                AttributionPipelines.environment(), 20, Duration.ofSeconds(1));
        var kafka = new Sources.KafkaInput(
                bootstrapServers, "restart-test", Sources.StartingOffsets.EARLIEST, false, new Properties());
        AttributionWorkflow.defineWorkflow(
                env,
                AttributionPipelines.settings(EmitMode.UPDATE, Duration.ofSeconds(5), Duration.ZERO),
                Sources.kafka(kafka, "clicks", new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.kafka(kafka, "views", new PageViewDecoder(), PageViewDecoder.TYPE),
                AttributionJob.jdbcSinks(db, AttributionPipelines.PARALLELISM));
        return env;
    }
}
