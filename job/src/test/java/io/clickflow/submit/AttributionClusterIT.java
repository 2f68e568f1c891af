package io.clickflow.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.Clickflow;
import io.clickflow.attribution.BruteForceAttribution;
import io.clickflow.attribution.ClickstreamGenerator;
import io.clickflow.attribution.GeneratedInput;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.deploy.DeployFiles;
import io.clickflow.route.BruteForceRouting;
import io.clickflow.route.RouteKafkaITCase;
import io.clickflow.route.RouteTraffic;
import io.clickflow.runner.RestorePoints;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.PostgresTestServer;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;
import io.clickflow.uniques.GeneratedFrames;
import io.clickflow.uniques.UniquesResults;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packaged job jar on a real Flink standalone cluster (deploy/local-cluster.sh: a JobManager and a
 * TaskManager JVM from the build's Flink jars), submitted over REST with real options against a real
 * Kafka broker, writing to a real PostgreSQL: the table equals brute force, the job's metrics are
 * scraped from the Prometheus reporter, then the job is cancelled and the cluster stopped.
 * Runs after {@code package} (failsafe), because it needs the shaded jar.
 */
class AttributionClusterIT {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final PostgresTestServer POSTGRES = new PostgresTestServer();

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final int PARTITIONS = 3;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    /** One cluster for the class; under target/, not a temp dir, so its logs outlive a failure. */
    private static Path clusterDir;

    private static int restPort;
    private static int prometheusFrom;

    @BeforeAll
    static void startCluster() throws Exception {
        restPort = ChildProcesses.freePort();
        prometheusFrom = ChildProcesses.freePort();
        clusterDir = Path.of("target", "cluster-it", "run-" + System.currentTimeMillis())
                .toAbsolutePath();
        // The cluster's processes get the database password from their environment, as a real deployment
        // would give it (a secret), so no job argument carries it.
        String started = script(
                Map.of("CLICKFLOW_JDBC_PASSWORD", PostgresTestServer.PASSWORD),
                "start",
                "--dir",
                clusterDir.toString(),
                "--rest-port",
                Integer.toString(restPort),
                "--rpc-port",
                Integer.toString(ChildProcesses.freePort()),
                "--slots",
                "4",
                "--prometheus-ports",
                prometheusFrom + "-" + (prometheusFrom + 4),
                "--set",
                "web.refresh-interval=2000");
        assertThat(started).contains("Flink cluster up");
        assertThat(Files.readString(clusterDir.resolve("conf/config.yaml")))
                .as("--set puts any Flink setting into the cluster's config.yaml")
                .contains("\nweb.refresh-interval: 2000\n");
    }

    /** A --set that is not KEY=VALUE stops the script in one line before anything starts. */
    @Test
    @Timeout(60)
    void aBadSettingIsOneLineBeforeAnythingStarts() throws Exception {
        Ran ran = run(
                Map.of(),
                "start",
                "--dir",
                clusterDir.resolveSibling("never-started").toString(),
                "--set",
                "web.refresh-interval");
        assertThat(ran.exit()).isEqualTo(1);
        assertThat(ran.out().strip())
                .isEqualTo("local-cluster: --set takes KEY=VALUE (a Flink setting, e.g."
                        + " execution.checkpointing.unaligned.enabled=true), not 'web.refresh-interval'");
        assertThat(clusterDir.resolveSibling("never-started")).doesNotExist();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (clusterDir != null) {
            String out = script(Map.of(), "stop", "--dir", clusterDir.toString());
            assertThat(out).contains("stopped");
            try (Stream<Path> pids = Files.list(clusterDir)) {
                assertThat(pids.filter(p -> p.toString().endsWith(".pid")))
                        .as("pid files left")
                        .isEmpty();
            }
        }
    }

    /** 10,000 events on three partitions of two fresh topics, with a flush record per partition. */
    private static GeneratedInput produce(String clicksTopic, String viewsTopic) throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                ClickstreamGenerator.Config.defaults()
                        .withSeed(21)
                        .withUsers(600)
                        .withEventsPerSecond(10)
                        .withClickRatio(0.15)
                        .withMaxDisorderMillis(3000)
                        .withMalformedFraction(0.003)
                        .withDuplicateFraction(0.01),
                10_000);
        KAFKA.createTopics(PARTITIONS, clicksTopic, viewsTopic);
        List<KafkaTestBroker.Message> messages =
                new ArrayList<>(GeneratedInput.messages(input, clicksTopic, viewsTopic, PARTITIONS));
        messages.addAll(GeneratedInput.flushMessages(input, clicksTopic, viewsTopic, PARTITIONS));
        KAFKA.produce(messages);
        return input;
    }

    /** Waits for every page view's final row, then compares the table with brute force. */
    private static void assertTableExact(Database db, GeneratedInput input) throws Exception {
        long views = input.views.stream().map(v -> v.pageViewId).distinct().count();
        // The flush views (one per partition) stay pending: nothing moves the watermark past them.
        Waits.until(
                () -> ResultTables.finalRowsOrMinusOne(db) >= views,
                Duration.ofSeconds(180),
                "the cluster job did not write the final rows of all " + views + " page views; logs in "
                        + clusterDir.resolve("logs"));
        Map<String, ResultTables.Row> rows = ResultTables.attributed(db);
        rows.keySet().removeIf(id -> id.startsWith(GeneratedInput.FLUSH_PREFIX));
        BruteForceAttribution.assertTableMatches(input, rows);
        assertThat(ResultTables.count(db, "rejected_events")).isEqualTo(input.malformedCount());
        assertThat(ResultTables.count(db, "late_events")).isZero();
    }

    @Test
    @Timeout(300)
    void submittedOverRestTheJobFillsPostgresExactlyAndReportsItsMetrics(@TempDir Path dir) throws Exception {
        GeneratedInput input = produce("ad_clicks", "page_views");
        Database db = POSTGRES.newDatabase();

        SubmitCommand.Submitted job = submit(
                "attribution",
                dir,
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--starting-offsets",
                "earliest",
                "--idle-timeout",
                "0",
                "--jdbc-url",
                db.url(),
                "--jdbc-user",
                db.user());
        assertThat(job.jobId()).matches("[0-9a-f]{32}");
        assertTableExact(db, input);
        assertPasswordInNoLog();
        long views = input.views.stream().map(v -> v.pageViewId).distinct().count();

        String metrics = scrapeAll(prometheusFrom, prometheusFrom + 4, "flink_taskmanager_job_task_operator_rowsFinal");
        assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_rowsFinal"))
                .isEqualTo(views);
        // The flush views (one per partition) are still waiting for a watermark nothing will send.
        assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_pendingPageViews"))
                .isEqualTo(PARTITIONS);
        assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_rejectedEvents"))
                .isEqualTo(input.malformedCount());
        assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_clicksIn"))
                .isEqualTo(input.clicks.size() + PARTITIONS);
        assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_pageViewsIn"))
                .isEqualTo(input.views.size() + PARTITIONS);
        Matcher split = Pattern.compile(
                        "flink_taskmanager_job_task_operator_split_watermark_currentWatermark\\{split=\"([a-z_]+_\\d+)\"")
                .matcher(metrics);
        Set<String> splits = new TreeSet<>();
        while (split.find()) {
            splits.add(split.group(1));
        }
        assertThat(splits)
                .as("one watermark gauge per Kafka partition")
                .containsExactlyInAnyOrder(
                        "ad_clicks_0", "ad_clicks_1", "ad_clicks_2", "page_views_0", "page_views_1", "page_views_2");
        assertDashboardSeries(metrics, "clickflow_attribution", "Every job", "Attribution");

        // Stopped as submit says: the savepoint lands where --resume looks.
        assertThat(job.stopCommands().get(1)).contains("\"targetDirectory\":\"" + job.savepointDir() + "\"");
        Path savepoint = Path.of(URI.create(stopWithSavepoint(job.jobId(), job.savepointDir())));
        assertThat(savepoint.getParent()).isEqualTo(dir.resolve("checkpoints").resolve("savepoints"));
        assertThat(RestorePoints.newest(dir.resolve("checkpoints"))).contains(savepoint);
    }

    /**
     * {@code ./clickflow submit route} on the same cluster: every destination topic, read read_committed, holds
     * exactly brute force's records once each, and the router's per-destination and per-tenant counters reach
     * Prometheus with the same numbers.
     */
    @Test
    @Timeout(300)
    void theRouterSubmittedToTheClusterDeliversExactlyOnceAndReportsItsCounters(@TempDir Path dir) throws Exception {
        Map<String, String> topicByName = Map.of("FINANCE", "cluster.to.finance", "MARKETING", "cluster.to.marketing");
        String input = "cluster.in";
        String dead = "cluster.dead";
        KAFKA.createTopics(PARTITIONS, input);
        KAFKA.createTopics(2, topicByName.values().toArray(String[]::new));
        KAFKA.createTopics(1, dead);
        List<RouteTraffic.Event> events = RouteKafkaITCase.events(
                new RouteTraffic(new RouteTraffic.Config(List.of("FINANCE", "MARKETING"), 20, 0.05, 0.03, 0.05, 5)),
                3_000);
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), BruteForceRouting.records(input, events, 0));
        Map<String, List<Integer>> expected = BruteForceRouting.expectedByTopic(events, topicByName, dead);
        long total = expected.values().stream().mapToLong(List::size).sum();

        SubmitCommand.Submitted job = submit(
                "route",
                dir,
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--input-topic",
                input,
                "--destinations",
                "{\"FINANCE\": {\"output_topic\": \"cluster.to.finance\"},"
                        + " \"MARKETING\": {\"output_topic\": \"cluster.to.marketing\"}}",
                "--dead-letter-topic",
                dead,
                "--starting-offsets",
                "earliest");
        try {
            Waits.until(
                    () -> expected.keySet().stream()
                                    .mapToLong(
                                            t -> KAFKA.readCommittedRecords(t).size())
                                    .sum()
                            >= total,
                    Duration.ofSeconds(180),
                    "the router on the cluster did not deliver everything");
            BruteForceRouting.assertDelivered(KAFKA, events, topicByName, dead, input);

            String metrics = scrapeAll(
                    prometheusFrom, prometheusFrom + 4, "flink_taskmanager_job_task_operator_deadLetterRecords");
            long routed = total - expected.get(dead).size();
            assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_destination_routedRecords"))
                    .isEqualTo(routed);
            assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_deadLetterRecords"))
                    .isEqualTo(expected.get(dead).size());
            assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_tenant_recordsIn"))
                    .isEqualTo(events.size());
            assertThat(metrics)
                    .containsPattern(
                            "flink_taskmanager_job_task_operator_tenant_recordsIn\\{[^\n]*tenant=\"financial\"");
            assertDashboardSeries(metrics, "clickflow_route", "Every job", "Router");
        } finally {
            cancel(job.jobId());
        }
    }

    /**
     * {@code ./clickflow submit uniques} on the same cluster (exact counts over 1m and 1h, a SQLite file on this
     * machine, the output topic exactly once): the table equals brute force, and every series of the dashboard's
     * "Unique users" row reaches Prometheus under the job's name.
     */
    @Test
    @Timeout(300)
    void theUniquesJobSubmittedToTheClusterCountsExactlyAndReportsItsMetrics(@TempDir Path dir) throws Exception {
        String frames = "cluster.frames";
        String output = "cluster.unique_users";
        KAFKA.createTopics(PARTITIONS, frames, output);
        List<Duration> windows = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
        GeneratedFrames input = GeneratedFrames.generate(
                47, 3_000, 500, Instant.parse("2024-01-01T00:58:00Z").getEpochSecond(), 40, 3, 0, Duration.ZERO, 500);
        List<KafkaTestBroker.Message> messages = new ArrayList<>(input.messages(frames, PARTITIONS));
        messages.addAll(input.flushMessages(frames, PARTITIONS));
        KAFKA.produce(messages);
        Map<String, Long> expected = input.distinctUsers(windows);
        long flush = input.flushStartSeconds();
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));

        SubmitCommand.Submitted job = submit(
                "uniques",
                dir,
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--frames-topic",
                frames,
                "--output-topic",
                output,
                "--windows",
                "1m,1h",
                "--starting-offsets",
                "earliest",
                "--idle-timeout",
                "0",
                "--jdbc-url",
                db.url());
        try {
            Waits.until(
                    () -> UniquesResults.tableMatches(db, flush, expected, CountMode.EXACT),
                    Duration.ofSeconds(180),
                    "the uniques table on the cluster does not equal brute force");
            String metrics =
                    scrapeAll(prometheusFrom, prometheusFrom + 4, "flink_jobmanager_job_lastCheckpointFullSize");
            assertThat(sum(metrics, job.jobId(), "flink_taskmanager_job_task_operator_rejectedEvents"))
                    .as("rejected lines")
                    .isEqualTo(input.frames.stream().filter(Objects::isNull).count());
            assertDashboardSeries(metrics, "clickflow_uniques", "Every job", "Unique users");
        } finally {
            cancel(job.jobId());
        }
    }

    /**
     * The {@code submit} service of docker-compose.yml, run literally through Flink's own CLI
     * ({@code flink run --detached ...}, here through {@code deploy/local-cluster.sh flink}): only the
     * hosts, the jar path and the checkpoint dir are replaced by this machine's, and the topics and group
     * are fresh. The password travels in CLICKFLOW_JDBC_PASSWORD as in the compose file.
     */
    @Test
    @Timeout(300)
    void theDockerComposeSubmitLineRunsUnderFlinkRun(@TempDir Path dir) throws Exception {
        GeneratedInput input = produce("compose_clicks", "compose_views");
        Database db = POSTGRES.newDatabase();
        List<String> line = DeployFiles.composeFlinkRunLine();
        Map<String, String> replace = Map.of(
                "jobmanager:8081", "localhost:" + restPort,
                "/opt/clickflow/clickflow-job.jar", jobJar().toString(),
                "kafka:9092", KAFKA.bootstrapServers(),
                "jdbc:postgresql://postgres:5432/clickflow", db.url(),
                "clickflow", db.user(),
                "file:///flink-data/checkpoints",
                        dir.resolve("checkpoints").toUri().toString());
        List<String> command = new ArrayList<>(List.of(
                "bash", ROOT.resolve("deploy/local-cluster.sh").toString(), "flink", "--dir", clusterDir.toString()));
        assertThat(line.get(0)).isEqualTo("run");
        line.forEach(token -> command.add(replace.getOrDefault(token, token)));
        command.addAll(List.of(
                "--clicks-topic", "compose_clicks", "--page-views-topic", "compose_views", "--group-id", "compose-it"));
        assertThat(command)
                .as("every host of the compose line was replaced")
                .noneMatch(t -> t.contains("kafka:") || t.contains("postgres:"));

        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("CLICKFLOW_JDBC_PASSWORD", db.password());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Nothing to resume from").contains("starting from the beginning");
        Matcher submitted = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})")
                .matcher(out);
        assertThat(submitted.find()).as(out).isTrue();

        assertTableExact(db, input);
        assertThat(out).doesNotContain(PostgresTestServer.PASSWORD);
        assertPasswordInNoLog();
        cancel(submitted.group(1));
    }

    /** The password reached the job (PostgreSQL checks it) and no log of the cluster shows it. */
    private static void assertPasswordInNoLog() throws IOException {
        try (Stream<Path> logs = Files.list(clusterDir.resolve("logs"))) {
            for (Path log : logs.toList()) {
                assertThat(Files.readString(log)).as(log.toString()).doesNotContain(PostgresTestServer.PASSWORD);
            }
        }
    }

    private void cancel(String jobId) throws Exception {
        String base = "http://localhost:" + restPort;
        HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        Waits.until(
                () -> "CANCELED".equals(jobState(base, jobId)), Duration.ofSeconds(60), "the job was not cancelled");
    }

    @Test
    @Timeout(60)
    void aBadOptionFailsBeforeAnythingIsUploaded() {
        Assertions.assertThatThrownBy(() -> SubmitCommand.submit(
                        Clickflow.jobs(),
                        new String[] {"attribution", "--jobmanager", "localhost:1", "--emit-mdoe", "update"}))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown option --emit-mdoe")
                .hasMessageContaining("--emit-mode");
        Assertions.assertThatThrownBy(() -> SubmitCommand.submit(
                        Clickflow.jobs(),
                        new String[] {"attribution", "--jobmanager", "localhost:1", "--jar", jobJar().toString()}))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("no Flink JobManager answers at http://localhost:1");
    }

    /** Under Flink's own CLI a bad option is the same one line (exit code 2), not the CLI's stack trace around it. */
    @Test
    @Timeout(120)
    void aBadOptionUnderFlinkRunIsOneLine() throws Exception {
        Ran ran = run(
                Map.of(),
                "flink",
                "--dir",
                clusterDir.toString(),
                "run",
                "--detached",
                "-c",
                "io.clickflow.Clickflow",
                jobJar().toString(),
                "attribution",
                "--emit-mdoe",
                "update");
        String out = ran.out();
        assertThat(ran.exit()).as(out).isEqualTo(2);
        assertThat(out.strip().lines().filter(l -> !l.isBlank()).toList())
                .as(out)
                .containsExactly("clickflow attribution: unknown option --emit-mdoe (did you mean --emit-mode?)");
    }

    /** {@code POST /jobs/<id>/stop} as submit prints it; the savepoint's location. */
    private String stopWithSavepoint(String jobId, String targetDirectory) throws Exception {
        String base = "http://localhost:" + restPort;
        String body = json.writeValueAsString(Map.of("drain", false, "targetDirectory", targetDirectory));
        HttpResponse<String> started = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/stop"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String trigger = json.readTree(started.body()).path("request-id").asText();
        assertThat(trigger).as(started.body()).isNotEmpty();
        String[] location = new String[1];
        Waits.until(
                () -> {
                    try {
                        HttpResponse<String> r = HTTP.send(
                                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/savepoints/" + trigger))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        var status = json.readTree(r.body());
                        assertThat(status.path("operation").has("failure-cause"))
                                .as(r.body())
                                .isFalse();
                        location[0] = status.path("operation").path("location").asText(null);
                        return "COMPLETED"
                                .equals(status.path("status").path("id").asText());
                    } catch (IOException | InterruptedException e) {
                        return false;
                    }
                },
                Duration.ofSeconds(120),
                "the stop with a savepoint did not complete");
        Waits.until(() -> "FINISHED".equals(jobState(base, jobId)), Duration.ofSeconds(60), "the job did not stop");
        return location[0];
    }

    private String jobState(String base, String jobId) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return json.readTree(r.body()).path("state").asText();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** The Prometheus pages of every process of the cluster (each reporter takes a port of the range). */
    /** Every reporter's page, once the job's operator metric {@code expected} is among them. */
    private String scrapeAll(int from, int to, String expected) throws Exception {
        StringBuilder all = new StringBuilder();
        for (int port = from; port <= to; port++) {
            try {
                all.append(HTTP.send(
                                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body())
                        .append('\n');
            } catch (IOException nothingThere) {
                // next port
            }
        }
        assertThat(all.toString())
                .as("the JobManager's and the TaskManager's reporters on ports " + from + "-" + to)
                .contains("flink_jobmanager_job_uptime", expected);
        return all.toString();
    }

    /**
     * Every series the Grafana dashboard's rows plot exists under the name and labels it queries (the template
     * variable's too).
     */
    static void assertDashboardSeries(String metrics, String jobName, String... rows) {
        Set<String> expected = new TreeSet<>(Set.of("flink_jobmanager_job_uptime"));
        for (String row : rows) {
            expected.addAll(DeployFiles.dashboardRowMetrics(row));
        }
        for (String metric : expected) {
            assertThat(metrics)
                    .as("deploy/grafana dashboard metric " + metric + " of " + jobName + " in the cluster's Prometheus"
                            + " pages")
                    .containsPattern("(?m)^" + metric + "\\{[^\n]*job_name=\"" + jobName + "\"");
        }
    }

    /** The sum of a metric over all its label sets (subtasks). */
    static long sum(String prometheusText, String jobId, String metric) {
        double total = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains("job_id=\"" + jobId + "\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertThat(found).as(metric + " in the scrape").isTrue();
        return Math.round(total);
    }

    /**
     * {@code ./clickflow submit JOB} to this class's cluster with the shaded jar, at parallelism 2, checkpointing every
     * second into {@code dir/checkpoints}; {@code args} are the job's own options.
     */
    private static SubmitCommand.Submitted submit(String job, Path dir, String... args) throws Exception {
        List<String> all =
                new ArrayList<>(List.of(job, "--jobmanager", "localhost:" + restPort, "--jar", jobJar().toString()));
        all.addAll(List.of(args));
        all.addAll(List.of(
                "--parallelism",
                "2",
                "--checkpoint-interval",
                "1s",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString()));
        return SubmitCommand.submit(Clickflow.jobs(), all.toArray(String[]::new));
    }

    static Path jobJar() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("job/target"))) {
            return files.filter(p -> p.getFileName().toString().matches("clickflow-job-.*\\.jar")
                            && !p.getFileName().toString().startsWith("original-"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no job jar in job/target: run mvn package first"));
        }
    }

    /** deploy/local-cluster.sh's exit code and its output (stdout and stderr together). */
    record Ran(int exit, String out) {}

    static Ran run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("bash", ROOT.resolve("deploy/local-cluster.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Ran(p.exitValue(), out);
    }

    static String script(Map<String, String> env, String... args) throws Exception {
        Ran ran = run(env, args);
        assertThat(ran.exit())
                .as("deploy/local-cluster.sh " + String.join(" ", args) + ":\n" + ran.out())
                .isZero();
        return ran.out();
    }
}
