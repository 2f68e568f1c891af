package io.clickflow.route;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.testing.ChildJob;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
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
import java.util.Map;

/**
 * The broker (a child process) stopped and started again under the running router, its open transactions cut
 * off: the job restarts by itself, and every record produced before and after ends up in its topics exactly
 * once, in order per key.
 */
class RouteBrokerRestartITCase {
    static final RouteTopics TOPICS = RouteTopics.of("restart.in", "restart.dead", "restart.to.");
    static final String INPUT = TOPICS.input();
    static final String DEAD_LETTERS = TOPICS.deadLetters();
    static final Map<String, String> TOPIC_BY_NAME = TOPICS.topicByName();
    static final int EVENTS = 6_000;
    static final Duration RUN = Duration.ofSeconds(180);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @Test
    @Timeout(400)
    void theRouterRecoversFromABrokerRestartWithEveryRecordOnce(@TempDir Path dir) throws Exception {
        List<RouteTraffic.Event> events = RouteKafkaITCase.events(new RouteTraffic(RouteKafkaITCase.traffic()), EVENTS);
        var records = BruteForceRouting.records(INPUT, events, 0);
        long total = TOPICS.expectedTotal(events);
        Path kafkaDir = dir.resolve("kafka");
        int port = ChildProcesses.freePort();
        int controllerPort = ChildProcesses.freePort();
        KafkaBroker broker = KafkaBroker.start(kafkaDir, ChildJob.kafkaClasspath(), port, controllerPort);
        JobClient job = null;
        try {
            broker.createTopic(INPUT, 4);
            for (String topic : TOPIC_BY_NAME.values()) {
                broker.createTopic(topic, 2);
            }
            broker.createTopic(DEAD_LETTERS, 1);
            String bootstrap = broker.bootstrapServers();
            KafkaTestBroker.produceRecords(bootstrap, records.subList(0, EVENTS / 2));
            long started = System.nanoTime();
            job = define(bootstrap, dir).executeAsync("route through a broker restart");
            Waits.until(() -> committed(bootstrap) > 1_000, RUN, "nothing routed before the broker restart");
            long firstCommitted = System.nanoTime();

            broker.close();
            broker = KafkaBroker.start(kafkaDir, ChildJob.kafkaClasspath(), port, controllerPort);
            long restarted = System.nanoTime();
            KafkaTestBroker.produceRecords(bootstrap, records.subList(EVENTS / 2, EVENTS));
            Waits.until(() -> committed(bootstrap) >= total, RUN, "not everything was routed after the restart");
            System.out.printf(
                    "RouteBrokerRestartITCase: first records committed after %d ms, broker back after %d ms, "
                            + "everything committed %d ms later%n",
                    (firstCommitted - started) / 1_000_000,
                    (restarted - firstCommitted) / 1_000_000,
                    (System.nanoTime() - restarted) / 1_000_000);
            BruteForceRouting.assertDelivered(
                    topic -> KafkaTestBroker.readCommittedRecords(bootstrap, topic),
                    events,
                    TOPIC_BY_NAME,
                    DEAD_LETTERS,
                    INPUT);
        } finally {
            if (job != null) {
                job.cancel().get();
            }
            broker.close();
        }
    }

    static StreamExecutionEnvironment define(String bootstrapServers, Path dir) {
        List<String> args = new ArrayList<>(TOPICS.args(bootstrapServers));
        args.addAll(List.of("--checkpoint-dir", dir.resolve("checkpoints").toString()));
        RouteOptions options = RouteCommand.parse(args.toArray(String[]::new));
        StreamExecutionEnvironment env = AttributionPipelines.withFixedDelayRestarts(
                AttributionPipelines.environment(), 20, Duration.ofSeconds(1));
        RouteJob.build(env, options);
        return env;
    }

    static long committed(String bootstrap) {
        return TOPICS.committed(topic -> KafkaTestBroker.readCommittedRecords(bootstrap, topic));
    }
}
