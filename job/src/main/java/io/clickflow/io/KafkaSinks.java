package io.clickflow.io;

import io.clickflow.tables.RejectedEvent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Writes a stream to Kafka, each record to the topic it names, exactly once (transactions per checkpoint) or at least once. */
public final class KafkaSinks {
    private KafkaSinks() {}

    /** How records are delivered. */
    public enum Delivery {
        /** Kafka transactions committed with each checkpoint: read_committed consumers see each record once, a checkpoint late. */
        EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE),
        /** Records as soon as they are computed; after a restart some are sent again. */
        AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE);

        final DeliveryGuarantee guarantee;

        Delivery(DeliveryGuarantee guarantee) {
            this.guarantee = guarantee;
        }
    }

    /** How exactly-once transactions are named, and so how a restart finds the ones a crash left open. */
    public enum TransactionNaming {
        /**
         * A small pool of transactional ids per subtask, reused from checkpoint to checkpoint (one long-lived
         * producer each); on recovery the sink lists the open transactions on its {@link Topics} (Kafka 3.0+
         * ListTransactions and DescribeProducers, so Read on those topics) and aborts its own.
         */
        POOLING(TransactionNamingStrategy.POOLING),
        /** A new transactional id, and so a new producer, per checkpoint per subtask; recovery probes ids in turn. */
        INCREMENTING(TransactionNamingStrategy.INCREMENTING);

        final TransactionNamingStrategy strategy;

        TransactionNaming(TransactionNamingStrategy strategy) {
            this.strategy = strategy;
        }
    }

    /**
     * The topics a sink may write to, where {@link TransactionNaming#POOLING} looks for transactions a crash left
     * open: fixed names, or every topic matching a pattern when some are only known while running.
     */
    public record Topics(List<String> names, String pattern) implements Serializable {
        public static Topics of(Collection<String> names) {
            return new Topics(List.copyOf(names), null);
        }

        public static Topics matching(String pattern) {
            return new Topics(null, Pattern.compile(pattern).pattern());
        }

        KafkaDatasetFacet facet() {
            return new DefaultKafkaDatasetFacet(
                    names != null
                            ? DefaultKafkaDatasetIdentifier.ofTopics(names)
                            : DefaultKafkaDatasetIdentifier.ofPattern(Pattern.compile(pattern)));
        }
    }

    /** A record's topic, key and value, and optionally its headers and timestamp. */
    public interface RecordFormat<T> extends Serializable {
        String topic(T record);

        byte[] key(T record);

        byte[] value(T record);

        /** Null: none. */
        default Iterable<Header> headers(T record) {
            return null;
        }

        /** Null: the producer's clock. */
        default Long timestamp(T record) {
            return null;
        }
    }

    /**
     * Transactions stay open for up to a checkpoint interval plus a restart; ten minutes stays below the
     * broker's default cap of fifteen ({@code transaction.max.timeout.ms}), which Flink's one-hour default exceeds.
     */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    /** Exactly-once sinks: how long a batch may wait to fill (flushed at every checkpoint anyway). */
    static final String EXACTLY_ONCE_LINGER_MS = "20";
    /** The largest batch per partition (the producer's default is 16 KB). */
    static final String BATCH_BYTES = String.valueOf(128 * 1024);
    /**
     * Exactly-once sinks: the first wait before a retried request (Kafka's default is 100 ms, doubling up to
     * {@code retry.backoff.max.ms}, 1 s). Each checkpoint starts its next transaction with a new producer epoch
     * (InitProducerId), often right after the same transactional id's commit, and the broker refuses it, retriably,
     * until that commit is done, which takes milliseconds: the default held such a checkpoint a whole 100 ms
     * longer (BENCHMARKS.md, the router).
     */
    static final String EXACTLY_ONCE_RETRY_BACKOFF_MS = "10";

    /**
     * @param transactionalIdPrefix unique per job writing to the cluster: Flink aborts this prefix's lingering
     *     transactions on start
     */
    public static <T> void write(
            DataStream<T> stream,
            String bootstrapServers,
            Delivery delivery,
            String transactionalIdPrefix,
            RecordFormat<T> format,
            String uid,
            String name) {
        write(
                stream,
                bootstrapServers,
                delivery,
                transactionalIdPrefix,
                TransactionNaming.INCREMENTING,
                null,
                format,
                uid,
                name);
    }

    /**
     * @param transactionalIdPrefix unique per job writing to the cluster: Flink aborts this prefix's lingering
     *     transactions on start
     * @param topics every topic {@code format} may name; required by {@link TransactionNaming#POOLING}
     */
    public static <T> void write(
            DataStream<T> stream,
            String bootstrapServers,
            Delivery delivery,
            String transactionalIdPrefix,
            TransactionNaming naming,
            Topics topics,
            RecordFormat<T> format,
            String uid,
            String name) {
        if (naming == TransactionNaming.POOLING && delivery == Delivery.EXACTLY_ONCE && topics == null) {
            throw new IllegalArgumentException("pooling transaction names need the topics the sink writes to");
        }
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(delivery.guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setTransactionNamingStrategy(naming.strategy)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setRecordSerializer(new Serializer<>(format, topics))
                // Under load, batches grow past 16 KB while the sender is busy: fewer, larger produce requests
                // save the broker most of its per-request work; a quiet partition's batch still leaves after
                // linger.ms, so this costs no latency (BENCHMARKS.md, router).
                .setProperty("batch.size", BATCH_BYTES);
        if (delivery == Delivery.EXACTLY_ONCE) {
            // Nothing is visible before its transaction commits, and every checkpoint flushes what lingers: fuller
            // batches cost no visibility.
            builder.setProperty("linger.ms", EXACTLY_ONCE_LINGER_MS)
                    .setProperty("retry.backoff.ms", EXACTLY_ONCE_RETRY_BACKOFF_MS);
        }
        KafkaSink<T> sink = builder.build();
        stream.sinkTo(sink).uid(uid).name(name);
    }

    /**
     * Rejected records as JSON ({@code stream, source, position, reason, payload}) to one topic, keyed by where they
     * were read, for jobs that keep what they cannot use on Kafka rather than in a table.
     */
    public static final class RejectedToTopic implements RecordFormat<RejectedEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient ObjectMapper json;

        public RejectedToTopic(String topic) {
            this.topic = topic;
        }

        @Override
        public String topic(RejectedEvent r) {
            return topic;
        }

        @Override
        public byte[] key(RejectedEvent r) {
            return (r.source + "@" + r.position).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] value(RejectedEvent r) {
            if (json == null) {
                json = new ObjectMapper();
            }
            ObjectNode node = json.createObjectNode()
                    .put("stream", r.stream)
                    .put("source", r.source)
                    .put("position", r.position)
                    .put("reason", r.reason)
                    .put("payload", r.payload);
            try {
                return json.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a rejected record as JSON", e);
            }
        }
    }

    /** Each record to its own topic with its key and value; tells the sink its topics when they are known. */
    static final class Serializer<T> implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
        private static final long serialVersionUID = 1L;
        private final RecordFormat<T> format;
        /** Null: not known. */
        private final Topics topics;

        Serializer(RecordFormat<T> format, Topics topics) {
            this.format = format;
            this.topics = topics;
        }

        @Override
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            return topics == null ? Optional.empty() : Optional.of(topics.facet());
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    format.topic(record),
                    null,
                    format.timestamp(record),
                    format.key(record),
                    format.value(record),
                    format.headers(record));
        }
    }
}
