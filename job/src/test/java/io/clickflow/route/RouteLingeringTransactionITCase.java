package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.testing.ChildJob;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * A router killed with SIGKILL while its pooled transactions hold routed records leaves them open on the broker
 * (for up to the 10 minute transaction timeout); the next run must abort them at start, so that the last stable
 * offset of every output partition reaches its end again and read_committed readers are not blocked, and then
 * deliver every record exactly once.
 */
class RouteLingeringTransactionITCase {
    static final RouteTopics TOPICS = RouteTopics.of("linger.in", "linger.dead", "linger.to.");
    static final String INPUT = TOPICS.input();
    static final int RECORDS = 3_000;
    static final Duration SENT = Duration.ofSeconds(180);
    static final Duration CATCH_UP = Duration.ofSeconds(240);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @Test
    @Timeout(600)
    void aRestartAbortsTheTransactionsAKilledRunLeftOpen(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(4, INPUT);
        KAFKA.createTopics(2, TOPICS.topicByName().values().toArray(String[]::new));
        KAFKA.createTopics(1, TOPICS.deadLetters());
        RouteTraffic traffic = new RouteTraffic(RouteKafkaITCase.traffic());
        List<RouteTraffic.Event> events = RouteKafkaITCase.events(traffic, RECORDS);
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), BruteForceRouting.records(INPUT, events, 0));

        List<String> args = new ArrayList<>(List.of("route"));
        args.addAll(TOPICS.args(KAFKA.bootstrapServers()));
        args.addAll(List.of("--checkpoint-dir", dir.resolve("checkpoints").toString(), "--progress-interval", "0"));
        // No checkpoint completes in the first run: everything it routes stays in open transactions.
        List<String> neverCommits = new ArrayList<>(args);
        neverCommits.addAll(List.of("--checkpoint-interval", "1h"));
        ChildJob killed = ChildJob.start(dir.resolve("first.log"), RouteProcessCrashITCase.withWebPort(neverCommits));
        Waits.until(
                () -> !openPartitions().isEmpty() || !killed.isAlive(),
                SENT,
                "the first run wrote nothing into a transaction");
        assertThat(killed.isAlive())
                .as("the first run is running: " + killed.output())
                .isTrue();
        assertThat(killed.kill()).isEqualTo(137);
        Map<TopicPartition, Long> blocked = openPartitions();
        assertThat(blocked).as("the killed run's transactions are still open").isNotEmpty();

        ChildJob next = ChildJob.start(dir.resolve("second.log"), RouteProcessCrashITCase.withWebPort(args));
        try {
            long total = TOPICS.expectedTotal(events);
            Waits.until(
                    () -> (openPartitions().isEmpty() && committedEverywhere() >= total) || !next.isAlive(),
                    CATCH_UP,
                    "read_committed readers stay blocked or records are missing");
            assertThat(next.isAlive())
                    .as("the second run is running: " + next.output())
                    .isTrue();
        } finally {
            next.kill();
        }
        Map<TopicPartition, Long> stable = stableOffsets();
        blocked.forEach((partition, lastStable) -> assertThat(stable.get(partition))
                .as("last stable offset of " + partition)
                .isGreaterThan(lastStable));
        assertThat(Files.readString(dir.resolve("second.log.logs").resolve("clickflow.log")))
                .as("the pooling sink found the killed run's transactions and aborted them at start")
                .containsPattern("Found [1-9]\\d* open transactions for subtask");
        BruteForceRouting.assertDelivered(KAFKA, events, TOPICS.topicByName(), TOPICS.deadLetters(), INPUT);
    }

    /** Output partitions whose last stable offset is behind their end (an open transaction), with that offset. */
    private static Map<TopicPartition, Long> openPartitions() {
        Map<TopicPartition, Long> stable = stableOffsets();
        Map<TopicPartition, Long> end = offsets(IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, Long> open = new HashMap<>();
        stable.forEach((partition, offset) -> {
            if (offset < end.get(partition)) {
                open.put(partition, offset);
            }
        });
        return open;
    }

    private static Map<TopicPartition, Long> stableOffsets() {
        return offsets(IsolationLevel.READ_COMMITTED);
    }

    private static Map<TopicPartition, Long> offsets(IsolationLevel isolation) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var description :
                    admin.describeTopics(TOPICS.outputs()).allTopicNames().get().values()) {
                description
                        .partitions()
                        .forEach(p ->
                                latest.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(isolation))
                    .all()
                    .get()
                    .forEach((partition, info) -> offsets.put(partition, info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the output offsets", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long committedEverywhere() {
        return TOPICS.committed(KAFKA::readCommittedRecords);
    }
}
