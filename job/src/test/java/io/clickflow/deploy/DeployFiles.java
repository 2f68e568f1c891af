package io.clickflow.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's deployment files as tests read them: YAML documents, pom properties, dashboard queries. */
public final class DeployFiles {
    private DeployFiles() {}

    /** The repository root (tests run in job/). */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    public static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/clickflow.json");

    /** Every YAML document of a file, with anchors, aliases and merge keys resolved as docker-compose does. */
    public static List<Map<String, Object>> yamlDocuments(Path file) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try {
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(Files.readString(file))) {
                if (doc != null) {
                    docs.add(map(doc));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    public static Map<String, Object> yaml(Path file) {
        List<Map<String, Object>> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new AssertionError(file + " has " + docs.size() + " YAML documents, expected one");
        }
        return docs.get(0);
    }

    public static Map<String, Object> yaml(InputStream in) {
        return map(new Yaml(new LoaderOptions()).load(in));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) {
            throw new AssertionError("expected a mapping, found " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        if (!(o instanceof List)) {
            throw new AssertionError("expected a list, found " + o);
        }
        return (List<Object>) o;
    }

    /** The value at a dotted path of nested mappings ("spec.job.args"), failing with the path when absent. */
    public static Object at(Map<String, Object> root, String path) {
        Object node = root;
        for (String key : path.split("\\.")) {
            Object next = map(node).get(key);
            if (next == null) {
                throw new AssertionError("no '" + path + "' (missing '" + key + "')");
            }
            node = next;
        }
        return node;
    }

    /** A property of the root pom, e.g. flink.version, so deploy files cannot drift from the build. */
    public static String pomProperty(String name) {
        try {
            Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">")
                    .matcher(Files.readString(ROOT.resolve("pom.xml")));
            if (!m.find()) {
                throw new AssertionError("no <" + name + "> in pom.xml");
            }
            return m.group(1).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file name of the shaded job jar that {@code mvn package} writes to job/target. */
    public static String jobJarName() {
        return "clickflow-job-" + pomProperty("version") + ".jar";
    }

    /** The file name of the self-contained API jar that {@code mvn package} writes to api/target. */
    public static String apiJarName() {
        return "clickflow-api-" + pomProperty("version") + "-all.jar";
    }

    /** The official JRE image of the Java release the build targets, which runs the API jar. */
    public static String jreImage() {
        return "eclipse-temurin:" + pomProperty("maven.compiler.release") + "-jre";
    }

    /** The official Flink image of the version the job is built against. */
    public static String flinkImage() {
        return "flink:" + pomProperty("flink.version") + "-scala_2.12-java17";
    }

    /**
     * The {@code flink run} line of docker-compose.yml's submit service, as the arguments of the {@code flink}
     * command: {@code run --detached -m jobmanager:8081 -c io.clickflow.Clickflow <jar> attribution ...}.
     */
    public static List<String> composeFlinkRunLine() {
        return composeFlinkRunLine("submit");
    }

    /** The {@code flink run} line of a docker-compose.yml service that submits a job ({@code submit-analytics}). */
    public static List<String> composeFlinkRunLine(String service) {
        Map<String, Object> submit = map(
                map(yaml(ROOT.resolve("docker-compose.yml")).get("services")).get(service));
        String script = String.valueOf(list(submit.get("command")).get(0)).replace("\\\n", " ");
        for (String line : script.split("\n")) {
            List<String> tokens = List.of(line.trim().split("\\s+"));
            int run = tokens.indexOf("run");
            if (run > 0 && tokens.get(run - 1).endsWith("bin/flink")) {
                return tokens.subList(run, tokens.size());
            }
        }
        throw new AssertionError("no 'flink run' line in docker-compose.yml's " + service + " service");
    }

    /**
     * The Flink metrics the panels of one dashboard row query: "Every job" (any clickflow job has them),
     * "Attribution", "Router".
     */
    public static Set<String> dashboardRowMetrics(String row) {
        try {
            Set<String> metrics = new TreeSet<>();
            String current = null;
            for (JsonNode panel :
                    new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
                if (panel.path("type").asText().equals("row")) {
                    current = panel.path("title").asText();
                } else if (row.equals(current)) {
                    Matcher m = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(panel.toString());
                    while (m.find()) {
                        metrics.add(m.group());
                    }
                }
            }
            if (metrics.isEmpty()) {
                throw new AssertionError("no dashboard row '" + row + "' with Flink metrics");
            }
            return metrics;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every Flink metric the Grafana dashboard queries (panels and template variables). */
    public static Set<String> dashboardMetrics() {
        try {
            Matcher m = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(Files.readString(DASHBOARD));
            Set<String> metrics = new TreeSet<>();
            while (m.find()) {
                metrics.add(m.group());
            }
            return metrics;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
