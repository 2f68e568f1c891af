package io.clickflow.api;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether this server can do its work: Kafka answers for the events topic (checked by a background task every
 * interval) and the database answers (the cache's background reads). {@code GET /health} reads the last result, so
 * a health probe never waits on Kafka or the database.
 */
final class Health implements AutoCloseable {
    private final Admin admin;
    private final String topic;
    private final String bootstrapServers;
    private final Duration interval;
    private final HourlyStatsStore store;
    private final String database;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "clickflow-api-health");
        t.setDaemon(true);
        return t;
    });

    private volatile String kafkaProblem = "not checked yet";
    private volatile int partitions;

    Health(
            String bootstrapServers,
            String topic,
            Duration interval,
            Map<String, String> extra,
            HourlyStatsStore store,
            String database) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.interval = interval;
        this.store = store;
        this.database = database;
        Map<String, Object> config = new HashMap<>(extra);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int timeout = (int) Math.max(500, interval.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "clickflow-api-health");
        this.admin = Admin.create(config);
    }

    void start() {
        checkKafka();
        checker.scheduleWithFixedDelay(
                this::checkKafka, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkKafka() {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(Math.max(500, interval.toMillis()), TimeUnit.MILLISECONDS)
                    .get(topic);
            long leaderless = d.partitions().stream()
                    .filter(p -> p.leader() == null || p.leader().isEmpty())
                    .count();
            partitions = d.partitions().size();
            kafkaProblem = leaderless == 0
                    ? null
                    : "Kafka at " + bootstrapServers + ": " + leaderless + " of " + partitions + " partitions of '"
                            + topic + "' have no leader";
        } catch (ExecutionException e) {
            kafkaProblem = "Kafka at " + bootstrapServers + ": " + HourlyStatsStore.oneLine(e.getCause());
        } catch (TimeoutException e) {
            kafkaProblem = "no Kafka broker answered at " + bootstrapServers + " within " + interval.toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            kafkaProblem = "Kafka at " + bootstrapServers + ": " + HourlyStatsStore.oneLine(e);
        }
    }

    /** Null when healthy, else the reasons in one line. */
    String problem() {
        String kafka = kafkaProblem;
        String db = store.problem();
        if (kafka == null && db == null) {
            return null;
        }
        if (kafka != null && db != null) {
            return kafka + "; database " + database + ": " + db;
        }
        return kafka != null ? kafka : "database " + database + ": " + db;
    }

    /** The one line of a healthy answer. */
    String ok() {
        return "ok: Kafka topic '" + topic + "' (" + partitions + " partitions) at " + bootstrapServers + ", database "
                + database + " read " + store.lastSuccessAgeMillis() + " ms ago";
    }

    @Override
    public void close() {
        checker.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
