package io.clickflow.bench;

import io.clickflow.route.RouteTraffic;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Append-to-visible latency of a running router: generated records appended to an input topic of LogAppendTime at a
 * fixed rate (open loop), and a {@code read_committed} consumer of every output topic taking, per routed copy, the
 * time it was returned minus its timestamp, which every contender copies from the input record: the broker's append
 * time of the input.
 */
final class RouteLatency {
    /** How long after the last append every expected copy must have been seen. */
    static final Duration DRAIN = Duration.ofSeconds(30);

    private RouteLatency() {}

    /** Latencies (ms) of the copies of records appended after the warm-up; counts of everything. */
    record Result(Histogram millis, long produced, double achievedRate, long expected, long seen) {}

    static Result measure(
            String bootstrapServers,
            String inputTopic,
            List<String> outputTopics,
            RouteTraffic traffic,
            RouteFanout fanout,
            double rate,
            Duration warmup,
            Duration duration)
            throws Exception {
        Histogram millis = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
        Probe probe = new Probe(bootstrapServers, outputTopics, millis);
        Thread consumer = new Thread(probe, "latency-consumer");
        consumer.setDaemon(true);
        consumer.start();
        probe.awaitAssigned();

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long expected = 0;
        long n = 0;
        long start = System.nanoTime();
        long warmupEnd = start + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < end && failure.get() == null) {
                long wait = start + (long) (n * 1e9 / rate) - System.nanoTime();
                if (wait > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the open loop, not ordering anything
                }
                if (probe.measureFromMillis == Long.MAX_VALUE && System.nanoTime() >= warmupEnd) {
                    probe.measureFromMillis = System.currentTimeMillis();
                }
                RouteTraffic.Event e = traffic.next();
                expected += fanout.route(e.value(), "", (topic, headers) -> {});
                producer.send(record(inputTopic, e), (md, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    }
                });
                n++;
            }
            producer.flush();
        }
        double achieved = n / ((System.nanoTime() - start) / 1e9);
        if (failure.get() != null) {
            throw failure.get();
        }
        probe.expect(expected);
        consumer.join(DRAIN.toMillis() + 5000);
        probe.stop = true;
        consumer.join(5000);
        if (probe.failure != null) {
            throw probe.failure;
        }
        synchronized (millis) {
            return new Result(millis.copy(), n, achieved, expected, probe.seen);
        }
    }

    /** An input record as the generator makes it: key, value and its trace header. */
    static ProducerRecord<byte[], byte[]> record(String topic, RouteTraffic.Event e) {
        RecordHeaders h = new RecordHeaders();
        h.add("trace", e.traceHeader().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, null, e.key(), e.value(), h);
    }

    /** The read_committed consumer: every copy counted, those appended after the warm-up measured. */
    private static final class Probe implements Runnable {
        private final String bootstrapServers;
        private final List<String> topics;
        private final Histogram millis;
        private final java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
        volatile long measureFromMillis = Long.MAX_VALUE;
        volatile long expected = -1;
        volatile long seen;
        volatile boolean stop;
        volatile Exception failure;
        private long expectedSetAt;

        Probe(String bootstrapServers, List<String> topics, Histogram millis) {
            this.bootstrapServers = bootstrapServers;
            this.topics = topics;
            this.millis = millis;
        }

        void awaitAssigned() throws InterruptedException {
            if (!assigned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the latency consumer did not start");
            }
        }

        void expect(long n) {
            expectedSetAt = System.nanoTime();
            expected = n;
        }

        @Override
        public void run() {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String t : topics) {
                    for (PartitionInfo p : c.partitionsFor(t)) {
                        partitions.add(new TopicPartition(t, p.partition()));
                    }
                }
                c.assign(partitions);
                c.seekToBeginning(partitions);
                partitions.forEach(c::position); // the positions are fixed before the first append
                assigned.countDown();
                while (!stop) {
                    long e = expected;
                    if (e >= 0 && (seen >= e || System.nanoTime() - expectedSetAt > DRAIN.toNanos())) {
                        return;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        long now = System.currentTimeMillis();
                        seen++;
                        if (r.timestamp() >= measureFromMillis) {
                            synchronized (millis) {
                                millis.recordValue(Math.max(0, now - r.timestamp()));
                            }
                        }
                    }
                }
            } catch (Exception e) {
                failure = e;
            } finally {
                assigned.countDown();
            }
        }
    }
}
