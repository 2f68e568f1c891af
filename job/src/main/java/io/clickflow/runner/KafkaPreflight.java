package io.clickflow.runner;

import io.clickflow.commandline.UsageException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Checks before a job starts that its Kafka brokers answer and its topics exist, so a typo is one line, not a hung job. */
public final class KafkaPreflight {
    private KafkaPreflight() {}

    /**
     * Waits until every partition of the topics has a leader. Right after creation a partition can
     * answer NOT_LEADER_OR_FOLLOWER, and an idempotent producer retrying that can end in
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout: records lost (seen in tests here).
     */
    public static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                boolean ready = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                        .allMatch(t -> t.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "partitions of " + topics + " have no leader after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** A topic a command needs, with the option that names it (for the message when it is missing). */
    public record Topic(String name, String option) {}

    /** How long a command waits for its brokers before it refuses: long enough for a broker that is starting. */
    static final Duration BROKER_WAIT = Duration.ofSeconds(15);

    /** A broker that answers within this is not announced as waited for: the usual case, a line saved. */
    static final Duration QUIET_WAIT = Duration.ofSeconds(1);

    /**
     * Refuses in one line when no broker answers or a topic is missing, naming the topic and its option. When no
     * broker has answered after a second, says so on stderr at once with how long it waits, rather than being silent
     * until the refusal.
     */
    public static void checkTopics(String bootstrapServers, List<Topic> topics) {
        checkTopics(bootstrapServers, topics, BROKER_WAIT);
    }

    static void checkTopics(String bootstrapServers, List<Topic> topics, Duration wait) {
        long waitMillis = wait.toMillis();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(10_000, waitMillis),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) waitMillis);
        String noBroker = "no Kafka broker answered at " + bootstrapServers + " within " + wait.toSeconds()
                + " s (check --bootstrap-servers)";
        try (Admin admin = Admin.create(config)) {
            Map<String, KafkaFuture<TopicDescription>> found = admin.describeTopics(
                            topics.stream().map(Topic::name).distinct().toList())
                    .topicNameValues();
            try {
                KafkaFuture.allOf(found.values().toArray(KafkaFuture[]::new))
                        .get(QUIET_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                System.err.println("Waiting up to " + wait.toSeconds() + " s for a Kafka broker at " + bootstrapServers
                        + " (--bootstrap-servers)...");
            } catch (ExecutionException e) {
                // a missing topic or another failure: reported for its topic below
            }
            for (Topic topic : topics) {
                try {
                    found.get(topic.name()).get(waitMillis + 5_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        throw new UsageException("topic '" + topic.name() + "' (" + topic.option()
                                + ") does not exist at " + bootstrapServers
                                + "; create it (deploy/local-kafka.sh kafka-topics --create ...) or name another");
                    }
                    if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                        throw new UsageException(noBroker);
                    }
                    throw new UsageException("cannot read topic '" + topic.name() + "' at " + bootstrapServers + ": "
                            + e.getCause().getMessage());
                }
            }
        } catch (TimeoutException e) {
            throw new UsageException(noBroker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while checking Kafka at " + bootstrapServers);
        }
    }
}
