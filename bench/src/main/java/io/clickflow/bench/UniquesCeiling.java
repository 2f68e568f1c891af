package io.clickflow.bench;

import io.clickflow.decode.Decoded;
import io.clickflow.io.DecodingKafkaDeserializer;
import io.clickflow.uniques.Frame;
import io.clickflow.uniques.FrameDecoder;
import io.clickflow.uniques.FrameGenerator;

import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The uniques bench's input and its parse ceilings: the same frames as files and in a topic, decoded by the job's
 * decoder on plain threads (no Flink), the most any job reading them could do on this machine.
 */
final class UniquesCeiling {
    private UniquesCeiling() {}

    static FrameGenerator generator(int users) {
        // ~1,000 frames per event-second, 99.9% within 5 s (disorder 3 s), 0.1% 30 s late: the challenge's shape.
        return new FrameGenerator(
                        42, users, Instant.parse("2024-01-01T00:00:00Z").getEpochSecond(), 1000, 3)
                .withFaults(0.001, 30, 0.0001);
    }

    static void check(long read, long expected, String what) {
        if (read != expected) {
            throw new IllegalStateException("the " + what + " read " + read + " of " + expected + " frames");
        }
    }

    /** Every file of the folder split into lines and decoded on {@code threads} threads: {frames, nanos}. */
    static long[] fileParse(Path folder, int threads) throws Exception {
        List<Path> files;
        try (var list = Files.list(folder)) {
            files = list.sorted().toList();
        }
        List<Callable<Long>> tasks = new ArrayList<>();
        for (Path file : files) {
            tasks.add(() -> parseFile(file));
        }
        return inParallel(threads, tasks);
    }

    /** Runs the tasks on {@code threads} threads: {sum of their counts, nanos until the last ended}. */
    private static long[] inParallel(int threads, List<Callable<Long>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Long>> futures = new ArrayList<>();
            for (var task : tasks) {
                futures.add(pool.submit(task));
            }
            long n = 0;
            for (Future<Long> f : futures) {
                n += f.get();
            }
            return new long[] {n, System.nanoTime() - start};
        } finally {
            pool.shutdownNow();
        }
    }

    private static long parseFile(Path file) throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        String name = file.getFileName().toString();
        long n = 0;
        long sink = 0;
        byte[] buf = new byte[1 << 16];
        byte[] line = new byte[8192];
        int len = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                for (int i = 0; i < r; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        Decoded<Frame> d = decoder.decode(line, 0, len, name, null);
                        sink += d.event == null ? 1 : d.event.eventTime;
                        n++;
                        len = 0;
                    } else {
                        if (len == line.length) {
                            line = Arrays.copyOf(line, len * 2);
                        }
                        line[len++] = b;
                    }
                }
            }
        }
        if (sink == 42) {
            System.out.print(""); // keeps the decoding from being optimized away
        }
        return n;
    }

    /** Plain consumers decoding every frame with the job's Kafka deserializer: {frames, nanos}. */
    static long[] kafkaParse(String bs, int partitions, int threads) throws Exception {
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (int p = t; p < partitions; p += threads) {
                mine.add(new TopicPartition(UniquesBench.TOPIC, p));
            }
            tasks.add(() -> consume(bs, mine));
        }
        return inParallel(threads, tasks);
    }

    private static long consume(String bs, List<TopicPartition> partitions) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500"); // as the Flink Kafka source
        DecodingKafkaDeserializer<Frame> deserializer =
                new DecodingKafkaDeserializer<>(new FrameDecoder(), FrameDecoder.TYPE);
        long[] n = new long[1];
        Collector<Decoded<Frame>> count = new Collector<>() {
            @Override
            public void collect(Decoded<Frame> d) {
                n[0]++;
            }

            @Override
            public void close() {}
        };
        BenchKafka.readToEnd(props, partitions, r -> deserializer.deserialize(r, count));
        return n[0];
    }
}
