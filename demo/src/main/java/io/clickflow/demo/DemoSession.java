package io.clickflow.demo;

import io.clickflow.api.ApiServerProcess;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.io.KafkaSender;
import io.clickflow.tables.DeadLetterTables;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What every demo shares: its folder, started afresh, a Kafka broker (a child process) with the demo's topics, a
 * generator feeding it, a results page and a timer for {@code --duration}; closing it stops the page, the generator
 * and the broker, last.
 */
final class DemoSession implements AutoCloseable {
    /** The rows late and malformed events left, which the demos with a database point at. */
    static final String DEAD_LETTERS_QUERY = "SELECT * FROM " + DeadLetterTables.LATE.name()
            + " LIMIT 5; SELECT * FROM " + DeadLetterTables.REJECTED.name() + " LIMIT 5";

    private final Path dir;
    private final KafkaBroker broker;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean stopGenerator = new AtomicBoolean();
    private volatile Thread generator;
    private volatile ApiServerProcess page;

    /** Sends to the broker until {@code stop} is set. */
    @FunctionalInterface
    interface Generator {
        void run(AtomicBoolean stop) throws Exception;
    }

    /** Sends the next record of a paced generator. */
    @FunctionalInterface
    interface NextRecord {
        void send(KafkaSender sender) throws Exception;
    }

    private DemoSession(Path dir, KafkaBroker broker) {
        this.dir = dir;
        this.broker = broker;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A loopback port for a demo's broker, picked before the job's options are parsed so they name the broker from the
     * start (built and checked once); {@link #start} binds it a moment later.
     */
    static int brokerPort() throws IOException {
        return ChildProcesses.freePort();
    }

    /**
     * Empties {@code dir} and starts a broker on {@code port} (from {@link #brokerPort}) keeping its data there;
     * {@code kafkaClasspath} as KafkaBroker takes it, null: where the launcher puts it.
     */
    static DemoSession start(Path dir, Path kafkaClasspath, int port) throws IOException {
        if (kafkaClasspath == null) {
            kafkaClasspath = KafkaBroker.defaultRuntimeClasspath();
        }
        deleteRecursively(dir);
        Files.createDirectories(dir);
        System.out.println("Starting a Kafka broker (KRaft, logs in " + dir.resolve("kafka") + ")...");
        return new DemoSession(dir, KafkaBroker.start(dir.resolve("kafka"), kafkaClasspath, port, 0));
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
                + String.join(", ", topics) + " with " + partitions + (partitions == 1 ? " partition" : " partitions")
                + (topics.length > 1 ? " each." : "."));
    }

    /**
     * Starts the results page on this broker, its log in the demo's folder (returns at once); the session stops it when
     * it closes, first.
     */
    void serveResultsPage(String apiClasspath, int port, Path database, int webPort) {
        page = ResultsPageServer.start(apiClasspath, dir, port, broker.bootstrapServers(), database, webPort);
    }

    /** Runs {@code body} on a daemon thread until the session closes; a failure other than the stop is said. */
    void generate(Generator body) {
        generator = new Thread(
                () -> {
                    try {
                        body.run(stopGenerator);
                    } catch (Exception e) {
                        if (!stopGenerator.get()) {
                            System.err.println("Generator stopped: " + e);
                        }
                    }
                },
                "demo-generator");
        generator.setDaemon(true);
        generator.start();
    }

    /** Sends {@code rate} records a second to the broker until the session closes. */
    void generate(int rate, NextRecord next) {
        generate(stop -> {
            try (KafkaSender sender = new KafkaSender(broker.bootstrapServers(), 64 * 1024, "lz4")) {
                for (long n = 0; !stop.get(); n++) {
                    sender.pace(n, rate);
                    next.send(sender);
                }
            }
        });
    }

    /**
     * What a demo's job does once submitted: the results page, if there is one, says where it is when it listens, and
     * {@code duration} (zero: never) stops the job as Ctrl-C would.
     */
    Consumer<Runnable> whenSubmitted(Duration duration) {
        return stop -> {
            if (page != null) {
                ResultsPageServer.announce(page);
            }
            stopAfter(duration, stop);
        };
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
    public void close() throws InterruptedException {
        try {
            ResultsPageServer.stop(page);
            stopGenerator.set(true);
            if (generator != null) {
                generator.join(10_000);
            }
        } finally {
            timer.shutdownNow();
            broker.close();
        }
    }

    /** After the demo: the sqlite3 commands that show its results in {@code db}. */
    static void printQueries(Path db, String... queries) {
        System.out.println();
        System.out.println("Look at the result:");
        for (String query : queries) {
            System.out.println("  sqlite3 -header -column " + db + " \"" + query + "\"");
        }
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
