package io.clickflow.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Java side of deploy/local-kafka.sh: starts, stops and reports a detached {@link KafkaBroker}. The
 * script checks the options and passes them positionally: {@code start DIR PORT [NAME:PARTITIONS]...},
 * {@code stop DIR}, {@code status DIR}.
 */
public final class LocalKafka {
    private LocalKafka() {}

    /** Exit code of {@code status} when no broker runs, as {@code deploy/local-cluster.sh status} uses it. */
    static final int STOPPED = 3;

    /** A start that is not attempted; the message is the one line the user sees. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = run(args, System.out);
        } catch (Refusal | IllegalArgumentException e) {
            System.err.println("local-kafka: " + e.getMessage());
            exit = e instanceof Refusal ? 1 : 2;
        } catch (Exception e) {
            // A failed start: the message carries the end of broker.log, which is what explains it.
            System.err.println("local-kafka: " + e.getMessage()
                    + (e.getCause() != null ? System.lineSeparator() + "  caused by: " + e.getCause() : ""));
            exit = 1;
        }
        System.out.flush();
        // Exits explicitly: the code carries the outcome, and no client thread may keep this JVM up.
        System.exit(exit);
    }

    static int run(String[] args, PrintStream out) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("expected start|stop|status DIR ..., got " + Arrays.toString(args));
        }
        Path dir = Path.of(args[1]).toAbsolutePath().normalize();
        return switch (args[0]) {
            case "start" -> {
                if (args.length < 3) {
                    throw new IllegalArgumentException("start needs DIR and PORT");
                }
                start(dir, Integer.parseInt(args[2]), topics(Arrays.asList(args).subList(3, args.length)), out);
                yield 0;
            }
            case "stop" -> stop(dir, out);
            case "status" -> status(dir, out);
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "' (start|stop|status)");
        };
    }

    /** NAME:PARTITIONS pairs in the order given; a name given twice keeps its last count. */
    static Map<String, Integer> topics(List<String> specs) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String spec : specs) {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("topic '" + spec + "' is not NAME:PARTITIONS");
            }
            topics.put(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
        }
        return topics;
    }

    private static void start(Path dir, int port, Map<String, Integer> topics, PrintStream out) throws IOException {
        Optional<KafkaBroker.Detached> running = KafkaBroker.detached(dir);
        if (running.isPresent()) {
            throw new Refusal("a Kafka broker is already running from " + dir + " (pid "
                    + running.get().pid() + ", at " + running.get().bootstrapServers()
                    + "); stop it first: deploy/local-kafka.sh stop --dir " + dir);
        }
        // Checked here rather than left to the broker, which would fail seconds later with a bind error in its log.
        if (!KafkaBroker.isFree(port)) {
            throw new Refusal("port " + port + " is in use; choose another with --port");
        }
        Path classpath = KafkaBroker.defaultRuntimeClasspath();
        long started = System.nanoTime();
        try (KafkaBroker broker = KafkaBroker.startDetached(dir, classpath, port)) {
            double upSeconds = (System.nanoTime() - started) / 1e9;
            List<String> created = new ArrayList<>();
            try {
                for (Map.Entry<String, Integer> topic : topics.entrySet()) {
                    broker.createTopic(topic.getKey(), topic.getValue());
                    int partitions = broker.partitions(topic.getKey());
                    created.add(
                            topic.getKey() + " (" + partitions + (partitions == 1 ? " partition)" : " partitions)"));
                }
            } catch (RuntimeException e) {
                // All or nothing: a broker left running after a failed start would refuse the corrected retry.
                KafkaBroker.stopDetached(dir);
                throw e;
            }
            String bootstrap = broker.bootstrapServers();
            out.printf(
                    Locale.ROOT,
                    "Kafka broker up at %s in %.1f s (pid %d; data, server.properties and broker.log in %s).%n",
                    bootstrap,
                    upSeconds,
                    broker.pid(),
                    dir);
            if (!created.isEmpty()) {
                out.println("Topics: " + String.join(", ", created));
            }
            out.println("Tools:  deploy/local-kafka.sh kafka-topics --bootstrap-server " + bootstrap + " --list");
            out.println("Stop:   deploy/local-kafka.sh stop --dir " + dir);
        }
    }

    private static int stop(Path dir, PrintStream out) throws IOException {
        Optional<KafkaBroker.Detached> stopped = KafkaBroker.stopDetached(dir);
        if (stopped.isPresent()) {
            out.println("Kafka broker at " + stopped.get().bootstrapServers() + " (pid "
                    + stopped.get().pid() + ") stopped; its data stays in " + dir + ".");
        } else {
            out.println("No Kafka broker running from " + dir + ".");
        }
        return 0;
    }

    private static int status(Path dir, PrintStream out) throws IOException {
        Optional<KafkaBroker.Detached> running = KafkaBroker.detached(dir);
        if (running.isEmpty()) {
            out.println("stopped: no Kafka broker running from " + dir);
            return STOPPED;
        }
        KafkaBroker.Detached broker = running.get();
        if (!broker.accepts()) {
            out.println("running but not accepting connections at " + broker.bootstrapServers() + " (pid "
                    + broker.pid() + "): still starting, or see " + dir.resolve("broker.log"));
            return 1;
        }
        out.println("running: Kafka broker at " + broker.bootstrapServers() + " (pid " + broker.pid() + "), data in "
                + dir);
        return 0;
    }
}
