package io.clickflow.deploy;

import static io.clickflow.deploy.DeployFiles.ROOT;
import static io.clickflow.deploy.DeployFiles.at;
import static io.clickflow.deploy.DeployFiles.list;
import static io.clickflow.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.commandline.Cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.InputStream;
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
    static final String JAR_IN_CONTAINER = "/opt/clickflow/clickflow-job.jar";

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
        for (String flink : List.of("jobmanager", "taskmanager", "generator", "submit", "flink-data-owner")) {
            assertThat(service(flink).get("image")).as(flink).isEqualTo(DeployFiles.flinkImage());
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

        for (String flink : List.of("jobmanager", "taskmanager", "generator", "submit")) {
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
        Matcher created = Pattern.compile("for topic in ([a-z_ ]+);").matcher(topicsScript);
        assertThat(created.find())
                .as("the topics service loops over the topics")
                .isTrue();
        Set<String> topics = Set.of(created.group(1).trim().split(" +"));
        assertThat(topics).containsExactlyInAnyOrder(value(job, "--clicks-topic"), value(job, "--page-views-topic"));
        assertThat(topics)
                .containsExactlyInAnyOrder(value(generator, "--clicks-topic"), value(generator, "--page-views-topic"));
        assertThat(topicsScript).contains("--bootstrap-server " + bootstrap);

        Map<String, Object> postgres = environment("postgres");
        assertThat(value(job, "--jdbc-url"))
                .isEqualTo("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"));
        assertThat(value(job, "--jdbc-user")).isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(environment("submit").get("CLICKFLOW_JDBC_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
    }

    @Test
    void composeCheckpointsLiveOnAVolumeEveryFlinkProcessSharesAtTheSamePath() {
        String dir = value(jobOptions(), "--checkpoint-dir");
        assertThat(dir).startsWith("file:///flink-data/");
        for (String process : List.of("jobmanager", "taskmanager", "submit")) {
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
    void theDashboardPlotsTheJobsMetricsAndPerPartitionWatermarkLag() throws Exception {
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
        // AttributionClusterIT checks that every one of these series exists on a real cluster.
        assertThat(DeployFiles.dashboardMetrics()).hasSizeGreaterThan(10);
    }

    @Test
    @Timeout(120)
    void dockerComposeAcceptsTheFileWhereItIsInstalled() throws Exception {
        Process which = new ProcessBuilder("bash", "-c", "command -v docker-compose").start();
        Assumptions.assumeTrue(
                which.waitFor() == 0, "docker-compose is not installed here (Debian: apt-get install docker-compose)");
        Process p = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "--quiet")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    // ---------------------------------------------------------------- deploy/k8s

    @Test
    void theFlinkDeploymentIsValidAgainstTheOperatorsCrdSchema() throws Exception {
        Map<String, Object> deployment = k8s("FlinkDeployment");
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

    @Test
    void theFlinkDeploymentRunsTheImagesJarWithOptionsTheJobAccepts() throws Exception {
        Map<String, Object> deployment = k8s("FlinkDeployment");
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
        assertThat(args.get(0)).isEqualTo("attribution");
        CommandLine cl = parsed(new AttributionCommand(), args.subList(1, args.size()));
        assertThatCode(() ->
                        AttributionCommand.parse(args.subList(1, args.size()).toArray(String[]::new)))
                .doesNotThrowAnyException();
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

    @Test
    void theFlinkDeploymentKeepsStateAndSecretsWhereThePodsFindThem() {
        Map<String, Object> deployment = k8s("FlinkDeployment");
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

        Map<String, Object> env = map(list(container.get("env")).stream()
                .map(DeployFiles::map)
                .filter(e -> "CLICKFLOW_JDBC_PASSWORD".equals(e.get("name")))
                .findFirst()
                .orElseThrow());
        Map<String, Object> secret = k8s("Secret");
        assertThat(at(env, "valueFrom.secretKeyRef.name")).isEqualTo(at(secret, "metadata.name"));
        assertThat(map(secret.get("stringData"))).containsKey(String.valueOf(at(env, "valueFrom.secretKeyRef.key")));
        assertThat(map(list(container.get("ports")).get(0)).get("containerPort"))
                .isEqualTo(Integer.valueOf(String.valueOf(conf.get("metrics.reporter.prom.port"))));
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Object> k8s(String kind) {
        return DeployFiles.yamlDocuments(K8S).stream()
                .filter(d -> kind.equals(d.get("kind")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + K8S));
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
