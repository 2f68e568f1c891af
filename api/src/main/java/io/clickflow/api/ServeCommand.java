package io.clickflow.api;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.DatabaseOptions;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.tables.Database;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** {@code ./clickflow serve}: the stateless HTTP analytics API; run as many as you like side by side. */
@Command(
        name = "serve",
        versionProvider = ServeCommand.Version.class,
        resourceBundle = "io.clickflow.api.ServeHelp",
        customSynopsis = "./clickflow serve [options]",
        header = "The HTTP analytics API: POST events to Kafka, GET hourly counts from the database.",
        description = {
            "POST /analytics?timestamp=MILLIS&user=NAME&click|impression answers 204 once Kafka acknowledged the event;",
            "GET /analytics?timestamp=MILLIS answers unique_users, clicks and impressions of that UTC hour from",
            "hourly_stats (written by the analytics job). GET /health, GET /metrics (Prometheus). See docs/api.md."
        })
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LogManager.getLogger(ServeCommand.class);

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "HTTP port (0: any free one).")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (0.0.0.0: every interface).")
    String bind;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            defaultValue = "localhost:9092",
            description = "Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = "--events-topic",
            paramLabel = "TOPIC",
            defaultValue = "analytics_events",
            description = "Topic accepted events go to (must exist).")
    String eventsTopic;

    @Mixin
    DatabaseOptions jdbc;

    /** The database {@link #jdbc} names, built once by {@link #start()}. */
    private Database database;

    @Option(
            names = "--max-age",
            paramLabel = "DURATION",
            defaultValue = "24h",
            description = "POSTs with older timestamps are refused: the job no longer corrects their hour.")
    Duration maxAge;

    @Option(
            names = "--max-future",
            paramLabel = "DURATION",
            defaultValue = "1h",
            description = "POSTs with timestamps further ahead of this server's clock are refused.")
    Duration maxFuture;

    @Option(
            names = "--max-user-length",
            paramLabel = "N",
            defaultValue = "256",
            description = "Longest user name accepted, in characters (after percent-decoding).")
    int maxUserLength;

    @Option(
            names = "--cache-refresh",
            paramLabel = "DURATION",
            defaultValue = "250ms",
            description = "How often the current hour is re-read; every GET answer is at most twice this older "
                    + "than the table.")
    Duration cacheRefresh;

    @Option(
            names = "--fresh-timeout",
            paramLabel = "DURATION",
            defaultValue = "5s",
            description = "How long a GET with &fresh waits for the analytics job to count every event acknowledged "
                    + "before it; then 503.")
    Duration freshTimeout;

    @Option(
            names = "--results-refresh",
            paramLabel = "DURATION",
            defaultValue = "1s",
            description = "The results page's JSON (/api/...): each distinct request reads the database at most once "
                    + "per this, however many pages poll it.")
    Duration resultsRefresh;

    @Option(
            names = "--flink-rest",
            paramLabel = "URL",
            description = "A Flink REST address (http://HOST:8081): the results page then shows the running jobs' "
                    + "records in and out and watermark lag per subtask.")
    String flinkRest;

    @Option(
            names = "--delivery-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description = "How long a POST waits for Kafka's acknowledgement (retries included) before 503.")
    Duration deliveryTimeout;

    @Option(
            names = "--linger",
            paramLabel = "DURATION",
            defaultValue = "1ms",
            description = "How long the producer waits to batch events (Kafka's linger.ms).")
    Duration linger;

    @Option(
            names = "--kafka-max-block",
            paramLabel = "DURATION",
            defaultValue = "0",
            description =
                    "How long a POST may block its event loop when the producer's buffer is full (0: 503 at once).")
    Duration maxBlock;

    @Option(
            names = "--producer-property",
            paramLabel = "KEY=VALUE",
            description = "Any other Kafka client setting (security, buffer.memory, ...); repeatable. Also used by "
                    + "the health check's admin client where it applies.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Option(
            names = "--event-loops",
            paramLabel = "N",
            defaultValue = "0",
            description = "HTTP event loop threads (0: one per core).")
    int eventLoops;

    @Option(
            names = "--db-threads",
            paramLabel = "N",
            defaultValue = "4",
            description = "Threads (and connections) reading the database for GETs the cache does not answer.")
    int dbThreads;

    @Option(
            names = "--db-queue",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Database reads that may wait for a thread; beyond them a GET gets 503.")
    int dbQueue;

    @Option(
            names = "--db-timeout",
            paramLabel = "DURATION",
            defaultValue = "5s",
            description = "Longest database query (whole seconds, at least 1).")
    Duration dbTimeout;

    @Option(
            names = "--health-interval",
            paramLabel = "DURATION",
            defaultValue = "2s",
            description = "How often Kafka is checked for GET /health (and how long a check may take).")
    Duration healthInterval;

    @Option(
            names = "--max-request-line",
            paramLabel = "BYTES",
            defaultValue = "4096",
            description = "Longest request line (method, URI, version); longer gets 414.")
    int maxRequestLine;

    @Option(
            names = "--max-header-bytes",
            paramLabel = "BYTES",
            defaultValue = "8192",
            description = "Most header bytes per request; more gets 431.")
    int maxHeaderBytes;

    @Option(
            names = "--max-body-bytes",
            paramLabel = "BYTES",
            defaultValue = "4096",
            description = "Largest request body ignored (the API reads none); larger gets 413.")
    long maxBodyBytes;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            description = "Idle keep-alive connections are closed after this.")
    Duration idleTimeout;

    @Option(
            names = "--shutdown-timeout",
            paramLabel = "DURATION",
            defaultValue = "15s",
            description = "On SIGTERM or Ctrl-C: how long requests under way may take to finish.")
    Duration shutdownTimeout;

    /**
     * Set to {@code true} by a parent that starts serve as its child (./clickflow demo analytics) and holds its stdin
     * open: serve then stops, gracefully, when stdin ends, which the OS makes happen however the parent dies.
     */
    static final String WATCH_STDIN = "clickflow.serve.watchStdin";

    public static void main(String[] args) {
        if (Boolean.getBoolean(WATCH_STDIN)) {
            Thread watcher = new Thread(ServeCommand::exitAtEndOfStdin, "parent-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        int code = Cli.execute(Cli.commandLine(new ServeCommand()), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    private static void exitAtEndOfStdin() {
        try (InputStream in = System.in) {
            byte[] ignored = new byte[256];
            while (in.read(ignored) >= 0) {
                // only the end matters
            }
        } catch (IOException e) {
            // the pipe broke: the parent is gone as well
        }
        System.err.println("clickflow serve: stdin closed (its parent stopped it or is gone), stopping");
        System.exit(0); // runs the shutdown hook: requests under way finish
    }

    @Override
    public Integer call() throws Exception {
        ApiServer server = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    LOG.info("Stopping: finishing requests under way (at most {})", Durations.format(shutdownTimeout));
                    server.close(shutdownTimeout);
                    stopped.countDown();
                },
                "clickflow-api-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("clickflow serve: listening on http://" + bind + ":" + server.port() + " (results page: "
                + "http://" + bind + ":" + server.port() + "/; events to '"
                + eventsTopic + "' at " + bootstrapServers + ", counts from "
                + database.describe()
                + "); Ctrl-C stops");
        stopped.await();
        return 0;
    }

    /** Checks every option, Kafka and the database, then starts; any problem is one line before anything runs. */
    ApiServer start() throws Exception {
        database = checkOptions();
        checkKafka();
        checkDatabase(database);
        Metrics metrics = new Metrics();
        EventProducer producer =
                new EventProducer(bootstrapServers, eventsTopic, deliveryTimeout, linger, maxBlock, producerProperties);
        HourlyStatsStore store = null;
        FreshReads fresh = null;
        Health health = null;
        try {
            producer.warmUp(Duration.ofSeconds(15));
            store = new HourlyStatsStore(
                    database, cacheRefresh, dbThreads, dbQueue, dbTimeout, System::currentTimeMillis, metrics);
            store.start();
            fresh = new FreshReads(producer, store, database, freshTimeout, metrics);
            health = new Health(
                    bootstrapServers, eventsTopic, healthInterval, adminProperties(), store, database.describe());
            health.start();
            ResultsPage page =
                    new ResultsPage(store, database, resultsRefresh, new FlinkRest(flinkRest, resultsRefresh));
            return ApiServer.start(settings(), producer, store, fresh, health, metrics, page);
        } catch (Exception e) {
            producer.close(Duration.ZERO);
            if (health != null) {
                health.close();
            }
            if (fresh != null) {
                fresh.close();
            }
            if (store != null) {
                store.close();
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof BindException) {
                throw new UsageException("cannot listen on " + bind + ":" + port + ": "
                        + HourlyStatsStore.oneLine(cause) + " (--bind, --port)");
            }
            if (cause instanceof IllegalStateException) {
                throw new UsageException(cause.getMessage());
            }
            throw e;
        }
    }

    /**
     * The HTTP side exactly as {@link #start} sets it up from these options (event loops, limits, port), with other
     * handlers and no Kafka or database: how {@code ./clickflow bench api} runs its ceiling and its Redis peer.
     */
    public EventLoopServer listenWith(Function<Vertx, Handler<HttpServerRequest>> handlers) throws Exception {
        checkOptions();
        ApiServer.Settings settings = settings();
        // No lambda over Vert.x types here: picocli reflects on this class's methods, and the job's tests parse
        // serve's options without Vert.x on their classpath.
        return EventLoopServer.start(
                ApiServer.httpOptions(settings), settings.eventLoops(), handlers, EventLoopServer::refuse);
    }

    ApiServer.Settings settings() {
        return new ApiServer.Settings(
                bind,
                port,
                eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops,
                maxRequestLine,
                maxHeaderBytes,
                maxBodyBytes,
                idleTimeout,
                new Requests.Limits(maxUserLength, maxAge, maxFuture));
    }

    private Database checkOptions() {
        Cli.range("--port", port, 0, 65535);
        Cli.range("--max-user-length", maxUserLength, 1, 1_000_000);
        Cli.range("--event-loops", eventLoops, 0, 1024);
        Cli.range("--db-threads", dbThreads, 1, 1024);
        Cli.range("--db-queue", dbQueue, 1, 1_000_000);
        Cli.range("--max-request-line", maxRequestLine, 64, 1 << 20);
        Cli.range("--max-header-bytes", maxHeaderBytes, 256, 1 << 20);
        if (maxBodyBytes < 0) {
            throw new UsageException("--max-body-bytes: must be 0 or more, not " + maxBodyBytes);
        }
        positive("--max-age", maxAge);
        positive("--cache-refresh", cacheRefresh);
        positive("--fresh-timeout", freshTimeout);
        positive("--results-refresh", resultsRefresh);
        if (flinkRest != null && !flinkRest.matches("https?://[^\\s/?#]+/?")) {
            throw new UsageException(
                    "--flink-rest: give http://HOST:PORT (Flink's REST address), not '" + flinkRest + "'");
        }
        positive("--health-interval", healthInterval);
        positive("--idle-timeout", idleTimeout);
        if (dbTimeout.toSeconds() < 1) {
            throw new UsageException("--db-timeout: must be at least 1s, not " + Durations.format(dbTimeout));
        }
        if (linger.toMillis() > 1000) {
            throw new UsageException("--linger: at most 1s, not " + Durations.format(linger));
        }
        if (deliveryTimeout.toMillis() < linger.toMillis() + 500 || deliveryTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new UsageException(
                    "--delivery-timeout: must be at least --linger + 500ms, not " + Durations.format(deliveryTimeout));
        }
        if (eventsTopic.isBlank()) {
            throw new UsageException("--events-topic: must not be empty");
        }
        return jdbc.database(); // before Kafka is asked: a typo here is one line at once
    }

    private static void positive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new UsageException(option + ": must be more than 0");
        }
    }

    private Map<String, String> adminProperties() {
        Map<String, String> admin = new HashMap<>(producerProperties);
        // Producer-only settings would only make the admin client log warnings.
        admin.keySet().removeIf(k -> k.startsWith("buffer.") || k.startsWith("batch.") || k.startsWith("compression."));
        return admin;
    }

    /** How long {@link #checkKafka} waits for a broker before it says so; a broker that is up answers sooner. */
    static final Duration QUIET_KAFKA_WAIT = Duration.ofSeconds(1);

    /**
     * Refuses in one line when no broker answers or the events topic is missing. Past {@link #QUIET_KAFKA_WAIT}
     * without an answer it says on stderr that it waits, and how long at most, so a missing broker is not 15 silent
     * seconds.
     */
    private void checkKafka() {
        Map<String, Object> config = new HashMap<>(adminProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(config)) {
            KafkaFuture<TopicDescription> topic =
                    admin.describeTopics(List.of(eventsTopic)).topicNameValues().get(eventsTopic);
            try {
                topic.get(QUIET_KAFKA_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                System.err.println("clickflow serve: waiting for a Kafka broker at " + bootstrapServers
                        + " (--bootstrap-servers), at most 15 s");
                topic.get(20_000 - QUIET_KAFKA_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new UsageException(
                        "topic '" + eventsTopic + "' (--events-topic) does not exist at " + bootstrapServers
                                + "; create it (deploy/local-kafka.sh kafka-topics --create ...) or name another");
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new UsageException(
                        "no Kafka broker answered at " + bootstrapServers + " within 15 s (check --bootstrap-servers)");
            }
            throw new UsageException("cannot read topic '" + eventsTopic + "' at " + bootstrapServers + ": "
                    + HourlyStatsStore.oneLine(e.getCause()));
        } catch (TimeoutException e) {
            throw new UsageException(
                    "no Kafka broker answered at " + bootstrapServers + " within 20 s (check --bootstrap-servers)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while checking Kafka at " + bootstrapServers);
        } catch (KafkaException e) {
            throw new UsageException("--bootstrap-servers: " + HourlyStatsStore.oneLine(e));
        }
    }

    /**
     * Refuses in one line when the database cannot be opened. A missing table is fine (the job creates it; until
     * then every hour is zeros); a SQLite file's folder is made so the server can start before the job.
     */
    private static void checkDatabase(Database database) throws IOException {
        Path file = database.sqliteFile();
        if (file != null && file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (Connection c = database.connect()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new UsageException("cannot open the database " + database.describe() + ": "
                    + HourlyStatsStore.oneLine(e) + " (--jdbc-url)");
        }
    }

    /** {@code --version}: this module's version and the libraries it was built with (not the job jar's). */
    public static final class Version extends Cli.Version {
        public Version() {
            super("/clickflow-api-version.properties");
        }
    }

    /** For tests: the command line with clickflow's converters. */
    static CommandLine commandLine(ServeCommand command) {
        return Cli.commandLine(command);
    }
}
