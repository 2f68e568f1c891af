package io.clickflow.deploy;

import static io.clickflow.deploy.DeployFiles.ROOT;
import static io.clickflow.deploy.DeployFiles.at;
import static io.clickflow.deploy.DeployFiles.list;
import static io.clickflow.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.clickflow.analytics.AnalyticsCommand;
import io.clickflow.api.ServeCommand;
import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.commandline.Cli;
import io.clickflow.route.RouteCommand;
import io.clickflow.route.RouteOptions;
import io.clickflow.runner.RestorePoints;
import io.clickflow.uniques.GenerateFramesCommand;
import io.clickflow.uniques.UniquesCommand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * docker-compose.yml, deploy/k8s and the Grafana/Prometheus files, checked without Docker or Kubernetes:
 * images pinned to the build's versions, job arguments accepted by the job's own option parser, every
 * host, port, topic, volume, secret and credential wired to what defines it, and the FlinkDeployment
 * valid against the Flink Kubernetes Operator's CRD schema.
 */
class DeployFilesTest {
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    static final Path K8S = ROOT.resolve("deploy/k8s/clickflow-attribution.yaml");
    static final Path K8S_ANALYTICS = ROOT.resolve("deploy/k8s/clickflow-analytics.yaml");
    static final Path K8S_API = ROOT.resolve("deploy/k8s/clickflow-api.yaml");
    static final String JAR_IN_CONTAINER = "/opt/clickflow/clickflow-job.jar";
    static final List<String> API_SERVERS = List.of("api-1", "api-2");

    private static Map<String, Object> services() {
        return map(DeployFiles.yaml(COMPOSE).get("services"));
    }

    private static Map<String, Object> service(String name) {
        Object s = services().get(name);
        assertThat(s).as("service " + name + " in docker-compose.yml").isNotNull();
        return map(s);
    }

    // ---------------------------------------------------------------- docker-compose.yml

    @Test
    void composeImagesArePinnedToTheBuildsVersions() {
        for (String flink : List.of(
                "jobmanager",
                "taskmanager",
                "generator",
                "submit",
                "submit-analytics",
                "submit-route",
                "submit-uniques",
                "frames-generator",
                "flink-data-owner")) {
            assertThat(service(flink).get("image")).as(flink).isEqualTo(DeployFiles.flinkImage());
        }
        for (String api : API_SERVERS) {
            assertThat(service(api).get("image")).as(api).isEqualTo(DeployFiles.jreImage());
        }
        assertThat(service("kafka").get("image")).isEqualTo("apache/kafka:" + DeployFiles.pomProperty("kafka.version"));
        assertThat(service("topics").get("image")).isEqualTo(service("kafka").get("image"));
        services()
                .forEach((name, s) -> assertThat(String.valueOf(map(s).get("image")))
                        .as(name + ": an image with an explicit version, not latest")
                        .matches("[^:]+:v?[0-9][^:]*"));
    }

    @Test
    void composeSubmitsTheJarItMountsWithOptionsTheJobAccepts() {
        List<String> args = submittedArgs();
        assertThat(args.get(0)).isEqualTo("attribution");
        assertThatCode(() ->
                        AttributionCommand.parse(args.subList(1, args.size()).toArray(String[]::new)))
                .doesNotThrowAnyException();
        assertThat(args)
                .as("the password comes from the environment, never the arguments")
                .doesNotContain("--jdbc-password");

        for (String flink : List.of(
                "jobmanager",
                "taskmanager",
                "generator",
                "frames-generator",
                "submit",
                "submit-analytics",
                "submit-route",
                "submit-uniques")) {
            assertThat(volumes(flink))
                    .as(flink + " mounts the built jar")
                    .contains("./job/target/" + DeployFiles.jobJarName() + ":" + JAR_IN_CONTAINER + ":ro");
        }
    }

    @Test
    void composeGeneratorRunsTheGenerateCommandOfTheMountedJar() {
        Map<String, Object> generator = service("generator");
        List<String> entrypoint = strings(generator.get("entrypoint"));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo("io.clickflow.Clickflow");
        assertThat(entrypoint.get(entrypoint.indexOf("-cp") + 1).split(":"))
                .contains("/opt/flink/lib/*", JAR_IN_CONTAINER);
        List<String> command = strings(generator.get("command"));
        assertThat(command.get(0)).isEqualTo("generate");
        CommandLine cl = parsed(new GenerateCommand(), command.subList(1, command.size()));
        assertThat(given(cl, "--clicks-file")).as("to Kafka, not to files").isFalse();
    }

    @Test
    void composeWiresKafkaTopicsDatabaseAndCredentials() {
        CommandLine job = jobOptions();
        CommandLine generator = parsed(
                new GenerateCommand(),
                strings(service("generator").get("command")).stream().skip(1).toList());

        Map<String, Object> kafka = environment("kafka");
        String bootstrap = value(job, "--bootstrap-servers");
        assertThat(value(generator, "--bootstrap-servers")).isEqualTo(bootstrap);
        assertThat(String.valueOf(kafka.get("KAFKA_ADVERTISED_LISTENERS")).split(","))
                .contains("PLAINTEXT://" + bootstrap);
        assertThat(services()).containsKey(bootstrap.split(":")[0]);

        String topicsScript = strings(service("topics").get("command")).get(0);
        Matcher created = Pattern.compile("for topic in ([a-z_. -]+);").matcher(topicsScript);
        assertThat(created.find())
                .as("the topics service loops over the topics")
                .isTrue();
        Set<String> topics = Set.of(created.group(1).trim().split(" +"));
        String analyticsTopic = value(analyticsOptions(), "--events-topic");
        List<String> expected = new ArrayList<>(
                List.of(value(job, "--clicks-topic"), value(job, "--page-views-topic"), analyticsTopic));
        CommandLine uniques = uniquesOptions();
        expected.addAll(List.of(value(uniques, "--frames-topic"), value(uniques, "--output-topic")));
        RouteOptions route = routeOptions();
        expected.addAll(List.of(route.inputTopic, route.deadLetterTopic));
        route.destinations.all().forEach(d -> expected.add(d.outputTopic));
        assertThat(topics).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(topicsScript)
                .as("the destinations topic, compacted")
                .containsPattern(
                        "--topic " + Pattern.quote(route.destinationsTopic) + " .*--config cleanup.policy=compact");
        assertThat(topics).contains(value(generator, "--clicks-topic"), value(generator, "--page-views-topic"));
        assertThat(topicsScript).contains("--bootstrap-server " + bootstrap);

        Map<String, Object> postgres = environment("postgres");
        assertThat(value(job, "--jdbc-url"))
                .isEqualTo("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"));
        assertThat(value(job, "--jdbc-user")).isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(environment("submit").get("CLICKFLOW_JDBC_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"analytics", "uniques"})
    void composeSubmitsTheCountingJobsWithOptionsTheyAcceptAndTheirOwnCheckpoints(String job) {
        String service = "submit-" + job;
        List<String> tokens = DeployFiles.composeFlinkRunLine(service);
        assertThat(tokens).containsSequence("-c", "io.clickflow.Clickflow", JAR_IN_CONTAINER);
        assertThat(tokens).containsSequence("run", "--detached", "-m", "jobmanager:8081");
        List<String> args = composeJobArgs(service);
        assertThat(args.get(0)).isEqualTo(job);
        assertThat(args)
                .as("the password comes from the environment, never the arguments")
                .doesNotContain("--jdbc-password");
        assertThat(strings(service(service).get("command")).get(0))
                .as("the already-running check names the job's name on the cluster")
                .contains("grep -q 'clickflow " + job + "'");

        CommandLine counting = jobCommandLine(args);
        CommandLine attribution = jobOptions();
        assertThat(given(counting, "--resume")).isTrue();
        for (String option : List.of("--bootstrap-servers", "--jdbc-url", "--jdbc-user", "--state-backend")) {
            assertThat(value(counting, option)).as(option).isEqualTo(value(attribution, option));
        }
        assertThat(environment(service).get("CLICKFLOW_JDBC_PASSWORD"))
                .isEqualTo(environment("postgres").get("POSTGRES_PASSWORD"));
        // Every job's state on the shared volume, each in a folder of its own.
        String dir = value(counting, "--checkpoint-dir");
        assertThat(dir).startsWith("file:///flink-data/").isNotEqualTo(value(attribution, "--checkpoint-dir"));
        // The clients create (and mark) the checkpoint dirs; Flink's processes (user flink) write into them.
        for (String submit : List.of("submit", service)) {
            assertThat(service(submit).get("user")).as(submit).isEqualTo("flink");
        }
    }

    @Test
    void composeFramesGeneratorWritesTheTopicTheUniquesJobReads() {
        Map<String, Object> generator = service("frames-generator");
        assertThat(generator.get("entrypoint")).isEqualTo(service("generator").get("entrypoint"));
        List<String> command = strings(generator.get("command"));
        assertThat(command.get(0)).isEqualTo("generate-frames");
        CommandLine frames = parsed(new GenerateFramesCommand(), command.subList(1, command.size()));
        assertThat(given(frames, "--frames-file")).as("to Kafka, not to a file").isFalse();
        CommandLine uniques = uniquesOptions();
        for (String option : List.of("--bootstrap-servers", "--frames-topic")) {
            assertThat(value(frames, option)).as(option).isEqualTo(value(uniques, option));
        }
    }

    @Test
    void composeSubmitsTheRouterWithItsDestinationsFileAndItsOwnCheckpoints() {
        List<String> tokens = DeployFiles.composeFlinkRunLine("submit-route");
        assertThat(tokens).containsSequence("-c", "io.clickflow.Clickflow", JAR_IN_CONTAINER);
        assertThat(tokens).containsSequence("run", "--detached", "-m", "jobmanager:8081");
        assertThat(routeArgs().get(0)).isEqualTo("route");
        RouteOptions route = routeOptions();
        assertThat(route.destinations.all()).extracting(d -> d.name).contains("FINANCE", "MARKETING", "LOGISTICS");
        assertThat(strings(service("submit-route").get("command")).get(0))
                .as("the already-running check names the job's name on the cluster")
                .contains("grep -q 'clickflow route'");
        CommandLine router =
                parsed(new RouteCommand(), routeArgs().subList(1, routeArgs().size()));
        CommandLine attribution = jobOptions();
        assertThat(given(router, "--resume")).isTrue();
        for (String option : List.of("--bootstrap-servers", "--state-backend")) {
            assertThat(value(router, option)).as(option).isEqualTo(value(attribution, option));
        }
        String dir = value(router, "--checkpoint-dir");
        assertThat(dir).startsWith("file:///flink-data/").isNotEqualTo(value(attribution, "--checkpoint-dir"));
        assertThat(service("submit-route").get("user")).isEqualTo("flink");
        assertThat(volumes("submit-route")).contains("flink-data:/flink-data");
        // Four jobs of parallelism 2 on the one TaskManager.
        assertThat(Integer.parseInt(flinkProperties("taskmanager").get("taskmanager.numberOfTaskSlots")))
                .isGreaterThanOrEqualTo(Integer.parseInt(value(router, "--parallelism"))
                        + Integer.parseInt(value(attribution, "--parallelism"))
                        + Integer.parseInt(value(analyticsOptions(), "--parallelism"))
                        + Integer.parseInt(value(uniquesOptions(), "--parallelism")));
    }

    /**
     * The analytics job's checkpoints and savepoints lie inside the attribution job's checkpoint dir in
     * docker-compose.yml (file:///flink-data/checkpoints/analytics in file:///flink-data/checkpoints): the
     * attribution job's --resume must never pick them up, and the analytics job's must find its own.
     */
    @Test
    void eachComposeJobResumesOnlyFromItsOwnCheckpoints(@TempDir Path volume) throws Exception {
        Path attribution = inVolume(volume, value(jobOptions(), "--checkpoint-dir"));
        Path analytics = inVolume(volume, value(analyticsOptions(), "--checkpoint-dir"));
        Path route = inVolume(
                volume,
                value(
                        parsed(
                                new RouteCommand(),
                                routeArgs().subList(1, routeArgs().size())),
                        "--checkpoint-dir"));
        Path uniques = inVolume(volume, value(uniquesOptions(), "--checkpoint-dir"));
        Path checkpoint = analytics.resolve("0123456789abcdef0123456789abcdef/chk-7/_metadata");
        Path savepoint = RestorePoints.savepointDir(analytics).resolve("savepoint-0a1b2c-0123456789ab/_metadata");
        for (Path metadata : List.of(checkpoint, savepoint)) {
            Files.createDirectories(metadata.getParent());
            Files.writeString(metadata, "state");
        }
        RestorePoints.claim(analytics, "analytics");
        RestorePoints.claim(attribution, "attribution");
        RestorePoints.claim(route, "route");
        RestorePoints.claim(uniques, "uniques");
        assertThat(RestorePoints.newest(attribution)).isEmpty();
        assertThat(RestorePoints.newest(uniques)).isEmpty();
        assertThat(RestorePoints.newest(route)).isEmpty();
        assertThat(RestorePoints.newest(analytics)).isPresent();
    }

    private static Path inVolume(Path volume, String uri) {
        assertThat(uri).startsWith("file:///flink-data/");
        return volume.resolve(uri.substring("file:///flink-data/".length()));
    }

    @Test
    void composeRunsTwoApiServersFromTheMountedApiJarWithOptionsServeAccepts() {
        CommandLine analytics = analyticsOptions();
        Map<String, Object> postgres = environment("postgres");
        Set<String> hostPorts = new TreeSet<>();
        for (String api : API_SERVERS) {
            Map<String, Object> server = service(api);
            List<String> entrypoint = strings(server.get("entrypoint"));
            assertThat(entrypoint.get(0)).isEqualTo("java");
            assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(ServeCommand.class.getName());
            String jar = entrypoint.get(entrypoint.indexOf("-cp") + 1);
            assertThat(volumes(api))
                    .as(api + " mounts the self-contained API jar that -cp names")
                    .contains("./api/target/" + DeployFiles.apiJarName() + ":" + jar + ":ro");

            List<String> args = strings(server.get("command"));
            assertThatCode(() -> Cli.parse(new ServeCommand(), args.toArray(String[]::new)))
                    .as(api)
                    .doesNotThrowAnyException();
            CommandLine serve = parsed(new ServeCommand(), args);
            assertThat(given(serve, "--jdbc-password"))
                    .as("the password comes from the environment")
                    .isFalse();
            assertThat(value(serve, "--bind"))
                    .as("reachable from other containers")
                    .isEqualTo("0.0.0.0");
            assertThat(value(serve, "--bootstrap-servers")).isEqualTo(value(analytics, "--bootstrap-servers"));
            assertThat(value(serve, "--events-topic"))
                    .as("the topic the analytics job counts")
                    .isEqualTo(value(analytics, "--events-topic"));
            assertThat(value(serve, "--jdbc-url"))
                    .as("the database the analytics job writes hourly_stats to")
                    .isEqualTo(value(analytics, "--jdbc-url"))
                    .isEqualTo("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"));
            assertThat(value(serve, "--jdbc-user")).isEqualTo(postgres.get("POSTGRES_USER"));
            assertThat(environment(api).get("CLICKFLOW_JDBC_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));

            String port = value(serve, "--port");
            List<String> ports = strings(server.get("ports"));
            assertThat(ports).hasSize(1);
            assertThat(ports.get(0)).as(api).endsWith(":" + port);
            hostPorts.add(ports.get(0).split(":")[0]);

            String healthcheck = String.join(" ", strings(at(server, "healthcheck.test")));
            assertThat(healthcheck)
                    .as(api + ": the healthcheck asks GET /health on serve's port")
                    .contains("/dev/tcp/127.0.0.1/" + port)
                    .contains("GET /health ")
                    .contains("\" 200 \"");
            Map<String, Object> deps = map(server.get("depends_on"));
            assertThat(at(deps, "topics.condition"))
                    .as("serve refuses to start before its topic exists")
                    .isEqualTo("service_completed_successfully");
            assertThat(at(deps, "postgres.condition")).isEqualTo("service_healthy");
        }
        assertThat(hostPorts).containsExactlyInAnyOrder("8080", "8082");

        // Prometheus scrapes every API server's /metrics on its port.
        Map<String, Object> scrape =
                list(DeployFiles.yaml(ROOT.resolve("deploy/prometheus/prometheus.yml"))
                                .get("scrape_configs"))
                        .stream()
                        .map(DeployFiles::map)
                        .filter(c -> "clickflow-api".equals(c.get("job_name")))
                        .findFirst()
                        .orElseThrow(
                                () -> new AssertionError("no clickflow-api job in deploy/prometheus/prometheus.yml"));
        assertThat(scrape.get("metrics_path")).isEqualTo("/metrics");
        List<String> targets = strings(at(map(list(scrape.get("static_configs")).get(0)), "targets"));
        assertThat(targets)
                .containsExactlyInAnyOrderElementsOf(API_SERVERS.stream()
                        .map(api -> api + ":" + value(apiOptions(api), "--port"))
                        .toList());
    }

    /**
     * The healthcheck's shell line, run here against a tiny HTTP server: it succeeds on 200 and fails on
     * 503 (no curl needed in the image, only bash).
     */
    @Test
    @Timeout(60)
    void composeApiHealthcheckPassesOn200AndFailsOn503() throws Exception {
        String test = strings(at(service("api-1"), "healthcheck.test")).get(1);
        for (int status : new int[] {200, 503}) {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/health", ex -> {
                byte[] body = "ok\n".getBytes();
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            http.start();
            try {
                String line = test.replace(
                        "/dev/tcp/127.0.0.1/" + value(apiOptions("api-1"), "--port"),
                        "/dev/tcp/127.0.0.1/" + http.getAddress().getPort());
                Process p = new ProcessBuilder("sh", "-c", line)
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue() == 0).as(status + ": " + out).isEqualTo(status == 200);
            } finally {
                http.stop(0);
            }
        }
    }

    @Test
    void composeCheckpointsLiveOnAVolumeEveryFlinkProcessSharesAtTheSamePath() {
        String dir = value(jobOptions(), "--checkpoint-dir");
        assertThat(dir).startsWith("file:///flink-data/");
        for (String process :
                List.of("jobmanager", "taskmanager", "submit", "submit-analytics", "submit-route", "submit-uniques")) {
            assertThat(volumes(process)).as(process).contains("flink-data:/flink-data");
        }
        assertThat(map(DeployFiles.yaml(COMPOSE).get("volumes"))).containsKey("flink-data");
        assertThat(volumes("flink-data-owner")).contains("flink-data:/flink-data");
        Map<String, String> flinkConf = flinkProperties("jobmanager");
        assertThat(flinkConf.get("execution.checkpointing.dir")).isEqualTo(dir);
        assertThat(flinkProperties("taskmanager")).isEqualTo(flinkConf);
    }

    @Test
    void composeDependenciesPortsAndMetricsAreConsistent() throws Exception {
        Map<String, Object> services = services();
        Set<String> hostPorts = new HashSet<>();
        services.forEach((name, s) -> {
            Object deps = map(s).get("depends_on");
            if (deps instanceof Map<?, ?> m) {
                m.forEach((dep, cond) -> {
                    assertThat(services).as(name + " depends on").containsKey(String.valueOf(dep));
                    assertThat(String.valueOf(map(cond).get("condition")))
                            .isIn("service_started", "service_healthy", "service_completed_successfully");
                    if ("service_healthy".equals(map(cond).get("condition"))) {
                        assertThat(map(services.get(String.valueOf(dep))))
                                .as(dep + " has a healthcheck")
                                .containsKey("healthcheck");
                    }
                });
            } else if (deps != null) {
                list(deps).forEach(dep -> assertThat(services).containsKey(String.valueOf(dep)));
            }
            Object ports = map(s).get("ports");
            if (ports != null) {
                for (Object p : list(ports)) {
                    assertThat(hostPorts.add(String.valueOf(p).split(":")[0]))
                            .as("host port " + p + " published twice")
                            .isTrue();
                }
            }
        });
        assertThat(strings(service("jobmanager").get("ports"))).contains("8081:8081");

        // Prometheus scrapes the reporter port Flink is configured with, on both Flink processes.
        String reporterPort = flinkProperties("jobmanager").get("metrics.reporter.prom.port");
        assertThat(flinkProperties("jobmanager").get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        Map<String, Object> prometheus = DeployFiles.yaml(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        List<String> targets = strings(at(
                map(list(at(map(list(prometheus.get("scrape_configs")).get(0)), "static_configs"))
                        .get(0)),
                "targets"));
        assertThat(targets).containsExactlyInAnyOrder("jobmanager:" + reporterPort, "taskmanager:" + reporterPort);
        assertThat(volumes("prometheus"))
                .contains("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");

        // Grafana gets the datasource the dashboard refers to, and the dashboard folder its provider reads.
        for (String mount : volumes("grafana")) {
            assertThat(ROOT.resolve(mount.split(":")[0])).as(mount).isDirectory();
        }
        Map<String, Object> datasource =
                map(list(DeployFiles.yaml(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"))
                                .get("datasources"))
                        .get(0));
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
        JsonNode dashboard = new ObjectMapper().readTree(DeployFiles.DASHBOARD.toFile());
        Set<String> uids = new TreeSet<>();
        dashboard.findValues("datasource").forEach(d -> uids.add(d.path("uid").asText()));
        assertThat(uids).containsExactly(String.valueOf(datasource.get("uid")));
        Map<String, Object> provider =
                map(list(DeployFiles.yaml(ROOT.resolve("deploy/grafana/provisioning/dashboards/clickflow.yml"))
                                .get("providers"))
                        .get(0));
        assertThat(volumes("grafana")).contains("./deploy/grafana/dashboards:" + at(provider, "options.path") + ":ro");
    }

    @Test
    void theDashboardPlotsEachJobsMetricsInItsRow() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DeployFiles.DASHBOARD.toFile());
        String exprs =
                dashboard.findValues("expr").stream().map(JsonNode::asText).collect(Collectors.joining("\n"));
        for (String metric : List.of(
                "clicksIn",
                "pageViewsIn",
                "rowsFinal",
                "rowsProvisional",
                "rowsUpdated",
                "lateClicks",
                "latePageViews",
                "rejectedEvents",
                "pendingPageViews",
                "clicksHeld")) {
            assertThat(exprs).contains("flink_taskmanager_job_task_operator_" + metric);
        }
        assertThat(exprs)
                .contains(
                        "time() - max by (split) (flink_taskmanager_job_task_operator_split_watermark_currentWatermark");
        for (String metric : List.of(
                "tenant_recordsIn",
                "destination_routedRecords",
                "tenant_reason_deadLetters",
                "deadLetterRecords",
                "tenant_lagMillis")) {
            assertThat(DeployFiles.dashboardRowMetrics("Router"))
                    .contains("flink_taskmanager_job_task_operator_" + metric);
        }
        for (String metric :
                List.of("framesIn", "rejectedEvents", "rowsFinal", "rowsProvisional", "rowsCorrected", "lateFrames")) {
            assertThat(DeployFiles.dashboardRowMetrics("Unique users"))
                    .contains("flink_taskmanager_job_task_operator_" + metric);
        }
        assertThat(DeployFiles.dashboardRowMetrics("Unique users"))
                .as("the state size")
                .contains("flink_jobmanager_job_lastCheckpointFullSize");
        assertThat(dashboard.findValues("expr").stream()
                        .map(JsonNode::asText)
                        .filter(e -> e.contains("framesIn") || e.contains("lateFrames")))
                .as("the unique-users panels show that job only")
                .allMatch(e -> e.contains("job_name=~\"clickflow_uniques\""));
        // AttributionClusterIT checks that every series of a row exists on a real cluster for its job.
        Set<String> inRows = new TreeSet<>(DeployFiles.dashboardRowMetrics("Every job"));
        inRows.addAll(DeployFiles.dashboardRowMetrics("Attribution"));
        inRows.addAll(DeployFiles.dashboardRowMetrics("Router"));
        inRows.addAll(DeployFiles.dashboardRowMetrics("Unique users"));
        inRows.add("flink_jobmanager_job_uptime");
        assertThat(inRows)
                .as("every metric the dashboard queries is in a row")
                .isEqualTo(DeployFiles.dashboardMetrics());
    }

    @Test
    @Timeout(120)
    void dockerComposeAcceptsTheFileWhereItIsInstalled() throws Exception {
        Process which = new ProcessBuilder("bash", "-c", "command -v docker-compose").start();
        if (which.waitFor() != 0) {
            String why =
                    "docker-compose is not installed here (Debian: apt-get install docker-compose; ./clickflow test "
                            + "installs it)";
            // The README's test command installs it, so there a missing one is a failure, not a skip.
            assertThat(Boolean.getBoolean("clickflow.requireTools")).as(why).isFalse();
            Assumptions.abort(why);
        }
        Process p = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "--quiet")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    // ---------------------------------------------------------------- deploy/k8s

    /** Every job's FlinkDeployment file. */
    static List<String> flinkDeployments() {
        return List.of(
                "clickflow-attribution.yaml",
                "clickflow-analytics.yaml",
                "clickflow-route.yaml",
                "clickflow-uniques.yaml");
    }

    @ParameterizedTest
    @MethodSource("flinkDeployments")
    void theFlinkDeploymentIsValidAgainstTheOperatorsCrdSchema(String file) throws Exception {
        Map<String, Object> deployment = k8s(k8sFile(file), "FlinkDeployment");
        assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        Map<String, Object> schema;
        try (InputStream crd =
                getClass().getResourceAsStream("/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
            assertThat(crd).as("the CRD from flink-kubernetes-operator-api").isNotNull();
            Map<String, Object> version = list(at(DeployFiles.yaml(crd), "spec.versions")).stream()
                    .map(DeployFiles::map)
                    .filter(v -> "v1beta1".equals(v.get("name")))
                    .findFirst()
                    .orElseThrow();
            schema = map(at(version, "schema.openAPIV3Schema"));
        }
        List<String> violations = new ArrayList<>();
        validate(Map.of("spec", deployment.get("spec")), schema, "", violations);
        assertThat(violations).isEmpty();

        // The operator API on Maven Central here (1.10) knows Flink versions up to v1_20; the field must
        // name the Flink the job is built against (the operator uses it to pick the configuration format).
        String[] flink = DeployFiles.pomProperty("flink.version").split("\\.");
        assertThat(at(deployment, "spec.flinkVersion")).isEqualTo("v" + flink[0] + "_" + flink[1]);
    }

    @ParameterizedTest
    @MethodSource("flinkDeployments")
    void theFlinkDeploymentRunsTheImagesJarWithOptionsTheJobAccepts(String file) throws Exception {
        Map<String, Object> deployment = k8s(k8sFile(file), "FlinkDeployment");
        List<String> dockerfile = Files.readAllLines(ROOT.resolve("deploy/k8s/Dockerfile")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        assertThat(dockerfile.get(0)).isEqualTo("FROM " + DeployFiles.flinkImage());
        String[] copy = dockerfile.stream()
                .filter(l -> l.startsWith("COPY"))
                .findFirst()
                .orElseThrow()
                .split(" +");
        assertThat(copy[copy.length - 2]).isEqualTo("job/target/" + DeployFiles.jobJarName());
        assertThat(at(deployment, "spec.job.jarURI")).isEqualTo("local://" + copy[copy.length - 1]);
        assertThat(at(deployment, "spec.job.entryClass")).isEqualTo("io.clickflow.Clickflow");

        List<String> args = strings(at(deployment, "spec.job.args"));
        assertThat(args.get(0) + ".yaml").isEqualTo(file.replace("clickflow-", ""));
        CommandLine cl = jobCommandLine(args);
        // These come from the spec (job.parallelism, flinkConfiguration), which the job yields to on a cluster.
        for (String fromSpec : List.of(
                "parallelism", "checkpoint-dir", "state-backend", "jdbc-password", "resume", "from-savepoint")) {
            assertThat(given(cl, "--" + fromSpec))
                    .as("--" + fromSpec + " in the FlinkDeployment's args")
                    .isFalse();
        }
        assertThat(at(deployment, "spec.job.upgradeMode")).isEqualTo("savepoint");
        assertThat(at(deployment, "spec.job.parallelism")).isInstanceOf(Integer.class);
    }

    @ParameterizedTest
    @MethodSource("flinkDeployments")
    void theFlinkDeploymentKeepsStateAndSecretsWhereThePodsFindThem(String file) {
        Map<String, Object> deployment = k8s(k8sFile(file), "FlinkDeployment");
        Map<String, Object> conf = map(at(deployment, "spec.flinkConfiguration"));
        assertThat(conf.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(conf.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");

        Map<String, Object> pod = map(at(deployment, "spec.podTemplate.spec"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        assertThat(container.get("name"))
                .as("the operator merges the template into this container")
                .isEqualTo("flink-main-container");
        Map<String, Object> mount = map(list(container.get("volumeMounts")).get(0));
        String mountPath = String.valueOf(mount.get("mountPath"));
        for (String dir : List.of(
                "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir",
                "high-availability.storageDir")) {
            assertThat(String.valueOf(conf.get(dir)))
                    .as(dir + " on the shared volume")
                    .startsWith("file://" + mountPath + "/");
        }
        Map<String, Object> volume = map(list(pod.get("volumes")).get(0));
        assertThat(volume.get("name")).isEqualTo(mount.get("name"));
        assertThat(at(volume, "persistentVolumeClaim.claimName"))
                .isEqualTo(at(k8s("PersistentVolumeClaim"), "metadata.name"));
        assertThat(strings(at(k8s("PersistentVolumeClaim"), "spec.accessModes")))
                .containsExactly("ReadWriteMany");

        assertThat(map(list(container.get("ports")).get(0)).get("containerPort"))
                .isEqualTo(Integer.valueOf(String.valueOf(conf.get("metrics.reporter.prom.port"))));
        if (!strings(at(deployment, "spec.job.args")).contains("--jdbc-url")) {
            assertThat(container).as("a job without a database has no password").doesNotContainKey("env");
            return;
        }
        Map<String, Object> env = map(list(container.get("env")).stream()
                .map(DeployFiles::map)
                .filter(e -> "CLICKFLOW_JDBC_PASSWORD".equals(e.get("name")))
                .findFirst()
                .orElseThrow());
        Map<String, Object> secret = k8s("Secret");
        assertThat(at(env, "valueFrom.secretKeyRef.name")).isEqualTo(at(secret, "metadata.name"));
        assertThat(map(secret.get("stringData"))).containsKey(String.valueOf(at(env, "valueFrom.secretKeyRef.key")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clickflow-analytics.yaml", "clickflow-route.yaml", "clickflow-uniques.yaml"})
    void eachFlinkDeploymentSharesImageAndClaimWithAttributionButNotStateOrNames(String file) {
        Map<String, Object> attribution = k8s(K8S, "FlinkDeployment");
        Map<String, Object> analytics = k8s(k8sFile(file), "FlinkDeployment");
        assertThat(DeployFiles.yamlDocuments(k8sFile(file)))
                .as("the claim and the Secret are defined once, in clickflow-attribution.yaml")
                .hasSize(1);
        assertThat(at(analytics, "spec.image")).isEqualTo(at(attribution, "spec.image"));
        assertThat(at(analytics, "metadata.name")).isNotEqualTo(at(attribution, "metadata.name"));
        Map<String, Object> a = map(at(attribution, "spec.flinkConfiguration"));
        Map<String, Object> b = map(at(analytics, "spec.flinkConfiguration"));
        for (String dir : List.of(
                "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir",
                "high-availability.storageDir")) {
            String mine = String.valueOf(b.get(dir)) + "/";
            String theirs = String.valueOf(a.get(dir)) + "/";
            assertThat(mine.startsWith(theirs) || theirs.startsWith(mine))
                    .as(dir + ": " + mine + " and " + theirs + " are separate folders")
                    .isFalse();
        }
        CommandLine analyticsJob = jobCommandLine(strings(at(analytics, "spec.job.args")));
        CommandLine attributionJob = jobCommandLine(strings(at(attribution, "spec.job.args")));
        for (String option : List.of("--bootstrap-servers", "--jdbc-url", "--jdbc-user")) {
            if (analyticsJob.getCommandSpec().findOption(option) != null) {
                assertThat(value(analyticsJob, option)).as(option).isEqualTo(value(attributionJob, option));
            }
        }
        assertThat(value(analyticsJob, "--group-id")).isNotEqualTo(value(attributionJob, "--group-id"));
    }

    @Test
    void theApiDeploymentRunsTheApiImageWithOptionsServeAcceptsAndTheServiceReachesIt() throws Exception {
        Map<String, Object> deployment = k8s(K8S_API, "Deployment");
        Map<String, Object> service = k8s(K8S_API, "Service");
        assertThat(deployment.get("apiVersion")).isEqualTo("apps/v1");
        assertThat(service.get("apiVersion")).isEqualTo("v1");
        assertThat(at(deployment, "spec.replicas")).isEqualTo(3);

        // Selector, pod labels and the Service's selector agree.
        Map<String, Object> podLabels = map(at(deployment, "spec.template.metadata.labels"));
        Map<String, Object> selector = map(at(deployment, "spec.selector.matchLabels"));
        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat(podLabels).containsAllEntriesOf(map(at(service, "spec.selector")));

        Map<String, Object> pod = map(at(deployment, "spec.template.spec"));
        assertThat(list(pod.get("containers"))).hasSize(1);
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        List<String> args = strings(container.get("args"));
        assertThatCode(() -> Cli.parse(new ServeCommand(), args.toArray(String[]::new)))
                .doesNotThrowAnyException();
        CommandLine serve = parsed(new ServeCommand(), args);
        assertThat(given(serve, "--jdbc-password"))
                .as("the password comes from the Secret")
                .isFalse();
        assertThat(value(serve, "--bind")).as("reachable from the Service").isEqualTo("0.0.0.0");

        // The analytics job counts the topic the servers write and writes the table they read.
        CommandLine analytics = jobCommandLine(strings(at(k8s(K8S_ANALYTICS, "FlinkDeployment"), "spec.job.args")));
        for (String option : List.of("--bootstrap-servers", "--events-topic", "--jdbc-url", "--jdbc-user")) {
            assertThat(value(serve, option)).as(option).isEqualTo(value(analytics, option));
        }

        // Ports: containerPort = --port; the Service, the probes and Prometheus reach it.
        int port = Integer.parseInt(value(serve, "--port"));
        Map<String, Integer> containerPorts = new LinkedHashMap<>();
        for (Object p : list(container.get("ports"))) {
            containerPorts.put(String.valueOf(map(p).get("name")), (Integer) map(p).get("containerPort"));
        }
        assertThat(containerPorts.values()).containsExactly(port);
        Map<String, Object> servicePort = map(list(at(service, "spec.ports")).get(0));
        assertThat(resolve(servicePort.get("targetPort"), containerPorts)).isEqualTo(port);
        for (String probe : List.of("readinessProbe", "startupProbe", "livenessProbe")) {
            Map<String, Object> get = map(at(container, probe + ".httpGet"));
            assertThat(resolve(get.get("port"), containerPorts)).as(probe).isEqualTo(port);
            // Liveness asks /metrics, which answers while the server runs: a /health 503 (Kafka away) must
            // take the pod out of the Service, not restart it into serve's refusal to start without Kafka.
            assertThat(get.get("path")).as(probe).isEqualTo(probe.equals("livenessProbe") ? "/metrics" : "/health");
        }
        Map<String, Object> annotations = map(at(deployment, "spec.template.metadata.annotations"));
        assertThat(annotations.get("prometheus.io/scrape")).isEqualTo("true");
        assertThat(annotations.get("prometheus.io/port")).isEqualTo(String.valueOf(port));
        assertThat(annotations.get("prometheus.io/path")).isEqualTo("/metrics");

        // Resources: requests and a memory limit (the JVM sizes its heap from it).
        assertThat(map(at(container, "resources.requests"))).containsKeys("cpu", "memory");
        assertThat(map(at(container, "resources.limits"))).containsKey("memory");

        // The password from the Secret clickflow-attribution.yaml defines.
        Map<String, Object> env = map(list(container.get("env")).stream()
                .map(DeployFiles::map)
                .filter(e -> "CLICKFLOW_JDBC_PASSWORD".equals(e.get("name")))
                .findFirst()
                .orElseThrow());
        Map<String, Object> secret = k8s(K8S, "Secret");
        assertThat(at(env, "valueFrom.secretKeyRef.name")).isEqualTo(at(secret, "metadata.name"));
        assertThat(map(secret.get("stringData"))).containsKey(String.valueOf(at(env, "valueFrom.secretKeyRef.key")));

        // The image: Dockerfile.api puts the self-contained API jar on a JRE of the build's Java release.
        List<String> dockerfile = Files.readAllLines(ROOT.resolve("deploy/k8s/Dockerfile.api")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        assertThat(dockerfile.get(0)).isEqualTo("FROM " + DeployFiles.jreImage());
        String[] copy = dockerfile.stream()
                .filter(l -> l.startsWith("COPY"))
                .findFirst()
                .orElseThrow()
                .split(" +");
        assertThat(copy[copy.length - 2]).isEqualTo("api/target/" + DeployFiles.apiJarName());
        String entrypoint = dockerfile.stream()
                .filter(l -> l.startsWith("ENTRYPOINT"))
                .findFirst()
                .orElseThrow();
        assertThat(entrypoint)
                .contains("\"-cp\", \"" + copy[copy.length - 1] + "\"")
                .endsWith("\"" + ServeCommand.class.getName() + "\"]");
        assertThat(container).doesNotContainKey("command");
        String user = dockerfile.stream()
                .filter(l -> l.startsWith("USER "))
                .findFirst()
                .orElseThrow()
                .substring(5)
                .trim();
        assertThat(String.valueOf(at(pod, "securityContext.runAsUser"))).isEqualTo(user);
        assertThat(String.valueOf(container.get("image"))).startsWith("clickflow-api:");
    }

    /** A probe's or Service's port: a number, or the name of one of the container's ports. */
    private static int resolve(Object port, Map<String, Integer> containerPorts) {
        if (port instanceof Integer i) {
            return i;
        }
        Integer named = containerPorts.get(String.valueOf(port));
        assertThat(named).as("a container port named " + port).isNotNull();
        return named;
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Object> k8s(String kind) {
        return k8s(K8S, kind);
    }

    private static Map<String, Object> k8s(Path file, String kind) {
        return DeployFiles.yamlDocuments(file).stream()
                .filter(d -> kind.equals(d.get("kind")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + file));
    }

    private static Path k8sFile(String name) {
        return ROOT.resolve("deploy/k8s").resolve(name);
    }

    /** A FlinkDeployment's job arguments, checked by the job's own parse and parsed by its command line. */
    private static CommandLine jobCommandLine(List<String> args) {
        String[] options = args.subList(1, args.size()).toArray(String[]::new);
        switch (args.get(0)) {
            case "attribution" -> {
                assertThatCode(() -> AttributionCommand.parse(options)).doesNotThrowAnyException();
                return parsed(new AttributionCommand(), List.of(options));
            }
            case "analytics" -> {
                assertThatCode(() -> AnalyticsCommand.parse(options)).doesNotThrowAnyException();
                return parsed(new AnalyticsCommand(), List.of(options));
            }
            case "route" -> {
                assertThatCode(() -> RouteCommand.parse(options)).doesNotThrowAnyException();
                return parsed(new RouteCommand(), List.of(options));
            }
            case "uniques" -> {
                assertThatCode(() -> UniquesCommand.parse(options)).doesNotThrowAnyException();
                return parsed(new UniquesCommand(), List.of(options));
            }
            default -> throw new AssertionError("unknown job " + args.get(0));
        }
    }

    /** The arguments after the jar in the submit service's {@code flink run} line. */
    private static List<String> submittedArgs() {
        List<String> tokens = DeployFiles.composeFlinkRunLine();
        assertThat(tokens).containsSequence("-c", "io.clickflow.Clickflow", JAR_IN_CONTAINER);
        assertThat(tokens).containsSequence("run", "--detached", "-m", "jobmanager:8081");
        return tokens.subList(tokens.indexOf(JAR_IN_CONTAINER) + 1, tokens.size());
    }

    private static CommandLine jobOptions() {
        List<String> args = submittedArgs();
        return parsed(new AttributionCommand(), args.subList(1, args.size()));
    }

    /** The arguments after the jar in the submit-analytics service's {@code flink run} line. */
    private static List<String> analyticsArgs() {
        return composeJobArgs("submit-analytics");
    }

    /** The arguments after the jar in a submit service's {@code flink run} line. */
    private static List<String> composeJobArgs(String service) {
        List<String> tokens = DeployFiles.composeFlinkRunLine(service);
        return tokens.subList(tokens.indexOf(JAR_IN_CONTAINER) + 1, tokens.size());
    }

    private static CommandLine uniquesOptions() {
        List<String> args = composeJobArgs("submit-uniques");
        return parsed(new UniquesCommand(), args.subList(1, args.size()));
    }

    private static CommandLine analyticsOptions() {
        List<String> args = analyticsArgs();
        return parsed(new AnalyticsCommand(), args.subList(1, args.size()));
    }

    /**
     * The arguments after the jar in the submit-route service's {@code flink run} line, the destinations file's
     * path in the container replaced by the file it mounts.
     */
    private static List<String> routeArgs() {
        List<String> tokens = DeployFiles.composeFlinkRunLine("submit-route");
        List<String> args = new ArrayList<>(tokens.subList(tokens.indexOf(JAR_IN_CONTAINER) + 1, tokens.size()));
        for (String mount : volumes("submit-route")) {
            String[] parts = mount.split(":");
            args.replaceAll(
                    a -> a.equals(parts[1]) ? ROOT.resolve(parts[0]).normalize().toString() : a);
        }
        return args;
    }

    /** The router's options as submitted, checked by its own parse (the destinations file exists and is valid). */
    private static RouteOptions routeOptions() {
        List<String> args = routeArgs();
        return RouteCommand.parse(args.subList(1, args.size()).toArray(String[]::new));
    }

    private static CommandLine apiOptions(String service) {
        return parsed(new ServeCommand(), strings(service(service).get("command")));
    }

    /** A command's command line after parsing {@code args} the way the jar does. */
    private static CommandLine parsed(Object command, List<String> args) {
        CommandLine cl = Cli.commandLine(command);
        Cli.parseArgs(cl, args.toArray(String[]::new));
        return cl;
    }

    private static boolean given(CommandLine cl, String option) {
        return cl.getParseResult().hasMatchedOption(option);
    }

    /** An option's value as parsed, its default when not given. */
    private static String value(CommandLine cl, String option) {
        Object v = cl.getCommandSpec().findOption(option).getValue();
        return String.valueOf(v);
    }

    private static Map<String, Object> environment(String service) {
        return map(service(service).get("environment"));
    }

    private static List<String> volumes(String service) {
        return strings(service(service).get("volumes"));
    }

    /** The FLINK_PROPERTIES a Flink container appends to its config.yaml, as key/value pairs. */
    private static Map<String, String> flinkProperties(String service) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String line :
                String.valueOf(environment(service).get("FLINK_PROPERTIES")).split("\n")) {
            if (!line.isBlank()) {
                int colon = line.indexOf(": ");
                conf.put(
                        line.substring(0, colon).trim(),
                        line.substring(colon + 2).trim());
            }
        }
        return conf;
    }

    private static List<String> strings(Object o) {
        return list(o).stream().map(String::valueOf).toList();
    }

    /** A structural check against an OpenAPI v3 schema: known keys, types and enums (kubectl's server-side view). */
    @SuppressWarnings("unchecked")
    static void validate(Object value, Map<String, Object> schema, String path, List<String> violations) {
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))
                && !schema.containsKey("properties")) {
            return;
        }
        String type = (String) schema.get("type");
        Object anyOf = schema.get("anyOf");
        if (schema.containsKey("x-kubernetes-int-or-string") || anyOf != null) {
            if (!(value instanceof String || value instanceof Number)) {
                violations.add(path + ": expected an integer or a string, found " + value);
            }
            return;
        }
        if (schema.get("enum") != null
                && !path.equals(".spec.flinkVersion")
                && !((List<Object>) schema.get("enum")).contains(value)) {
            violations.add(path + ": " + value + " is not one of " + schema.get("enum"));
        }
        if (type == null) {
            return;
        }
        switch (type) {
            case "object" -> {
                if (!(value instanceof Map)) {
                    violations.add(path + ": expected an object, found " + value);
                    return;
                }
                Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
                Object additional = schema.get("additionalProperties");
                for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
                    String p = path + "." + e.getKey();
                    if (properties != null && properties.containsKey(e.getKey())) {
                        validate(e.getValue(), (Map<String, Object>) properties.get(e.getKey()), p, violations);
                    } else if (additional instanceof Map) {
                        validate(e.getValue(), (Map<String, Object>) additional, p, violations);
                    } else if (!Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))) {
                        violations.add(p + ": not a field of the CRD");
                    }
                }
            }
            case "array" -> {
                if (!(value instanceof List)) {
                    violations.add(path + ": expected a list, found " + value);
                    return;
                }
                int i = 0;
                for (Object item : (List<Object>) value) {
                    validate(item, (Map<String, Object>) schema.get("items"), path + "[" + i++ + "]", violations);
                }
            }
            case "string" -> {
                if (!(value instanceof String)) {
                    violations.add(path + ": expected a string, found " + value + " (quote it)");
                }
            }
            case "integer" -> {
                if (!(value instanceof Integer || value instanceof Long)) {
                    violations.add(path + ": expected an integer, found " + value);
                }
            }
            case "number" -> {
                if (!(value instanceof Number)) {
                    violations.add(path + ": expected a number, found " + value);
                }
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) {
                    violations.add(path + ": expected true or false, found " + value);
                }
            }
            default -> violations.add(path + ": unknown schema type " + type);
        }
    }
}
