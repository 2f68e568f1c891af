package io.clickflow.route;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The broker's topic list, cached: a topic not in the list is looked up again at most every
 * {@link #MISS_REFRESH}, so a topic created for a new destination is used within seconds, and a known topic is
 * trusted for {@link #HIT_REFRESH}, so the lookups cost nothing per record.
 */
final class KafkaTopicCatalog implements TopicCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopicCatalog.class);
    static final Duration MISS_REFRESH = Duration.ofSeconds(2);
    static final Duration HIT_REFRESH = Duration.ofSeconds(60);
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private Set<String> topics = Set.of();
    private long listedAtNanos;

    KafkaTopicCatalog(String bootstrapServers, String clientId) {
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, clientId));
        this.listedAtNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    }

    static Factory factory(String bootstrapServers, String clientId) {
        return () -> new KafkaTopicCatalog(bootstrapServers, clientId);
    }

    @Override
    public boolean exists(String topic) {
        long age = System.nanoTime() - listedAtNanos;
        boolean known = topics.contains(topic);
        if (age > (known ? HIT_REFRESH : MISS_REFRESH).toNanos()) {
            list();
            known = topics.contains(topic);
        }
        return known;
    }

    private void list() {
        listedAtNanos = System.nanoTime();
        try {
            topics = admin.listTopics(new ListTopicsOptions().timeoutMs((int) LIST_TIMEOUT.toMillis()))
                    .names()
                    .get(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Keep the last list: a broker hiccup must not turn every destination into a dead letter.
            LOG.warn("Could not list the topics, keeping the last list of {}: {}", topics.size(), e.toString());
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
