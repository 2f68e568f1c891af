package io.clickflow.guarantees;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionJob;
import io.clickflow.demo.KafkaBroker;
import io.clickflow.functions.EmitMode;
import io.clickflow.generator.ClickstreamGenerator;
import io.clickflow.io.Database;
import io.clickflow.io.Sources;
import io.clickflow.records.AdClickDecoder;
import io.clickflow.records.PageViewDecoder;
import io.clickflow.records.RecordTypes;
import io.clickflow.testing.BruteForceAttribution;
import io.clickflow.testing.ChildJob;
import io.clickflow.testing.GeneratedInput;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Pipelines;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;
import io.clickflow.workflows.AttributionWorkflow;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The Kafka broker (a real child process) is stopped and started again while the job runs; data
 * produced before and after the restart all ends up in the table, exactly as brute force says.
 */
class BrokerRestartITCase {
    static final int PARTITIONS = 2;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = Pipelines.miniCluster();

    @Test
    @Timeout(300)
    void theJobRecoversFromABrokerRestartAndLosesNothing(@TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(ClickstreamGenerator.Config.defaults()
                .withSeed(41).withUsers(2000).withEventsPerSecond(20).withClickRatio(0.15)
                .withMaxDisorderMillis(3000).withMalformedFraction(0.002).withDuplicateFraction(0.01), 40_000);
        List<KafkaTestBroker.Message> before = new ArrayList<>();
        List<KafkaTestBroker.Message> after = new ArrayList<>();
        long last = 0;
        for (int i = 0; i < input.events.size(); i++) {
            ClickstreamGenerator.Event e = input.events.get(i);
            (i < input.events.size() / 2 ? before : after).add(new KafkaTestBroker.Message(e.isClick() ? "clicks" : "views",
                    Math.floorMod(e.userId().hashCode(), PARTITIONS), e.userId(), e.json().getBytes(StandardCharsets.UTF_8)));
            last = Math.max(last, e.click() != null ? e.click().eventTime : e.view() != null ? e.view().eventTime : 0);
        }
        long later = last + Duration.ofHours(1).toMillis();
        for (int p = 0; p < PARTITIONS; p++) {
            after.add(message("clicks", p, "{\"click_id\":\"flush-c" + p + "\",\"user_id\":\"flush-" + p
                    + "\",\"campaign_id\":\"none\",\"event_time\":" + later + "}"));
            after.add(message("views", p, "{\"page_view_id\":\"flush-pv" + p + "\",\"user_id\":\"flush-" + p
                    + "\",\"event_time\":" + later + "}"));
        }

        Path kafkaDir = dir.resolve("kafka");
        int port = ChildJob.freePort();
        int controllerPort = ChildJob.freePort();
        KafkaBroker broker = KafkaBroker.start(kafkaDir, runtimeClasspath(), port, controllerPort);
        JobClient job = null;
        try {
            broker.createTopic("clicks", PARTITIONS);
            broker.createTopic("views", PARTITIONS);
            KafkaTestBroker.produce(broker.bootstrapServers(), before);
            Database db = Pipelines.sqlite(dir);
            job = define(db, broker.bootstrapServers()).executeAsync("attribution through a broker restart");
            Waits.until(() -> rows(db) > 1000, Duration.ofSeconds(120), "no rows before the broker restart");

            broker.close();
            broker = KafkaBroker.start(kafkaDir, runtimeClasspath(), port, controllerPort);
            KafkaTestBroker.produce(broker.bootstrapServers(), after);

            long expected = input.views.stream().map(v -> v.pageViewId).distinct().count();
            Waits.until(() -> finalRealRows(db) >= expected, Duration.ofSeconds(180),
                    "not every page view got its final row after the broker restart");
            var rows = ResultTables.attributed(db);
            rows.keySet().removeIf(id -> id.startsWith("flush-"));
            BruteForceAttribution.assertTableMatches(input, rows);
            assertThat(ResultTables.count(db, "rejected_events")).isEqualTo(input.malformedCount());
        } finally {
            if (job != null) {
                job.cancel().get();
            }
            broker.close();
        }
    }

    static StreamExecutionEnvironment define(Database db, String bootstrapServers) {
        StreamExecutionEnvironment env = Pipelines.environment();
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        env.configure(restarts);
        var kafka = new Sources.KafkaInput(bootstrapServers, "restart-test", Sources.StartingOffsets.EARLIEST, false, new Properties());
        AttributionWorkflow.defineWorkflow(env, Pipelines.settings(EmitMode.UPDATE, Duration.ofSeconds(5), Duration.ZERO),
                Sources.kafka(kafka, "clicks", new AdClickDecoder(), RecordTypes.DECODED_CLICK),
                Sources.kafka(kafka, "views", new PageViewDecoder(), RecordTypes.DECODED_PAGE_VIEW),
                AttributionJob.jdbcSinks(db, Pipelines.PARALLELISM));
        return env;
    }

    static KafkaTestBroker.Message message(String topic, int partition, String json) {
        return new KafkaTestBroker.Message(topic, partition, "flush", json.getBytes(StandardCharsets.UTF_8));
    }

    static Path runtimeClasspath() {
        return Optional.ofNullable(System.getProperty(KafkaBroker.CLASSPATH_PROPERTY)).map(Path::of)
                .orElse(Path.of("..", KafkaBroker.DEFAULT_CLASSPATH_FILE));
    }

    static long rows(Database db) {
        try {
            return ResultTables.count(db, "attributed_page_views");
        } catch (Exception e) {
            return -1;
        }
    }

    static long finalRealRows(Database db) {
        try {
            return ResultTables.attributed(db).values().stream().filter(r -> r.isFinal() && !r.pageViewId().startsWith("flush-")).count();
        } catch (Exception e) {
            return -1;
        }
    }
}
