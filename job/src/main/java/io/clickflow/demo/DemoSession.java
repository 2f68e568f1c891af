package io.clickflow.demo;

import io.clickflow.io.Sources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What every demo shares: its folder, started afresh, a Kafka broker (a child process) with the demo's topics, and a
 * timer for {@code --duration}; closing it stops the broker, last.
 */
final class DemoSession implements AutoCloseable {
    private final Path dir;
    private final KafkaBroker broker;
    private final ScheduledExecutorService timer;

    private DemoSession(Path dir, KafkaBroker broker) {
        this.dir = dir;
        this.broker = broker;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Empties {@code dir} and starts a broker keeping its data there; {@code kafkaClasspath} as KafkaBroker takes it. */
    static DemoSession start(Path dir, Path kafkaClasspath) throws IOException {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        System.out.println("Starting a Kafka broker (KRaft, logs in " + dir.resolve("kafka") + ")...");
        return new DemoSession(dir, KafkaBroker.start(dir.resolve("kafka"), kafkaClasspath));
    }

    Path dir() {
        return dir;
    }

    KafkaBroker broker() {
        return broker;
    }

    /** Creates the topics and says so. */
    void createTopics(int partitions, String... topics) {
        for (String topic : topics) {
            broker.createTopic(topic, partitions);
        }
        System.out.println("Kafka at " + broker.bootstrapServers() + "; topic" + (topics.length > 1 ? "s " : " ")
                + String.join(" and ", topics) + " with " + partitions + " partitions"
                + (topics.length > 1 ? " each." : "."));
    }

    /** A job's Kafka input pointed at this broker, its other settings kept. */
    Sources.KafkaInput kafkaInput(Sources.KafkaInput job) {
        return new Sources.KafkaInput(
                broker.bootstrapServers(), job.groupId(), job.startingOffsets(), false, job.properties());
    }

    /** Runs {@code stop} after {@code duration}, as Ctrl-C would stop the demo; zero: never. */
    void stopAfter(Duration duration, Runnable stop) {
        if (!duration.isZero()) {
            timer.schedule(stop, duration.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs a task on the demo's timer thread, e.g. a stop that must not run on the thread that asks for it. */
    void execute(Runnable task) {
        timer.execute(task);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        broker.close();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
