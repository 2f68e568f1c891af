package io.clickflow.options;

import static io.clickflow.ClickflowRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.Clickflow;
import io.clickflow.ClickflowRun;
import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.AttributionOptions;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.io.KafkaSinks;
import io.clickflow.route.RouteCommand;
import io.clickflow.route.RouteOptions;
import io.clickflow.stream.EmitMode;
import io.clickflow.testing.CommandChecks;
import io.clickflow.uniques.UniquesCommand;
import io.clickflow.uniques.UniquesOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Options parse as documented, every mistake is one clear line, and the docs list every option of every command. */
class CliTest {

    @Test
    void durationsAcceptTheDocumentedForms() {
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("not a duration");
        for (String s : List.of("0", "500ms", "5s", "30m", "2h", "1d", "90s", "1500ms")) {
            assertThat(Durations.parse(Durations.format(Durations.parse(s)))).isEqualTo(Durations.parse(s));
        }
    }

    @Test
    void attributionOptionsParseWithDefaults() {
        AttributionOptions o = attribution("--emit-mode", "update", "--attribution-window=10m", "--bounded");
        assertThat(o.settings.emitMode()).isEqualTo(EmitMode.UPDATE);
        assertThat(o.settings.attributionWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.settings.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.kafka.bounded()).isTrue();
        assertThat(o.kafka.groupId()).isEqualTo("clickflow-attribution");
        assertThat(o.fileMode()).isFalse();
        assertThat(o.database.url()).startsWith("jdbc:sqlite:output/clickflow.db?journal_mode=WAL");
        assertThat(o.runtime.checkpointDir())
                .as("each job its own checkpoints")
                .isEqualTo(Path.of("output/checkpoints/attribution"));
        assertThat(o.runtime.parallelismGiven()).isFalse();
        assertThat(attribution("--parallelism", "1_0").runtime.parallelism()).isEqualTo(10);
    }

    @Test
    void mistakesAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> attribution("--emit-mode", "sometimes"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--emit-mode: must be on-watermark or update, not 'sometimes'");
        assertThatThrownBy(() -> attribution("--attribution-windw", "5m"))
                .hasMessage("unknown option --attribution-windw (did you mean --attribution-window?)");
        assertThatThrownBy(() -> attribution("--clicks-file", "x.jsonl"))
                .hasMessage("file mode needs both --clicks-file and --page-views-file");
        assertThatThrownBy(() -> attribution("--clicks-file", "nope.jsonl", "--page-views-file", "nope2.jsonl"))
                .hasMessage("--clicks-file: no such file nope.jsonl");
        assertThatThrownBy(() -> attribution("--parallelism", "0"))
                .hasMessage("--parallelism: must be between 1 and 1024, not 0");
        assertThatThrownBy(() -> attribution("--parallelism", "two"))
                .hasMessage("--parallelism: 'two' is not a whole number");
        assertThatThrownBy(() -> attribution("--jdbc-url", "jdbc:mysql://x/y"))
                .hasMessage(
                        "--jdbc-url: unsupported URL 'jdbc:mysql://x/y': use jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB");
        assertThatThrownBy(() -> attribution("--state-backend", "disk"))
                .hasMessage("--state-backend: must be hashmap or rocksdb, not 'disk'");
        assertThatThrownBy(() -> attribution("--out-of-orderness"))
                .hasMessage("--out-of-orderness needs a value DURATION");
        assertThatThrownBy(() -> attribution("--out-of-orderness", "5"))
                .hasMessage("--out-of-orderness: '5' is not a duration (e.g. 500ms, 5s, 30m, 2h, 1d)");
        assertThatThrownBy(() -> attribution("--prallelism", "2"))
                .hasMessage("unknown option --prallelism (did you mean --parallelism?)");
        assertThatThrownBy(() -> attribution("stray")).hasMessageStartingWith("unexpected argument 'stray'");
        assertThatThrownBy(() -> attribution("--attribution-window", "0"))
                .hasMessage("--attribution-window must be longer than 0");
        assertThatThrownBy(() -> attribution("--bounded", "--resume"))
                .hasMessageStartingWith("--bounded cannot be combined with --resume/--from-savepoint");
        assertThatThrownBy(() -> attribution("--resume", "--from-savepoint", "x"))
                .hasMessage("--resume and --from-savepoint exclude each other");
    }

    @Test
    void uniquesOptionsParseWithDefaults() {
        UniquesOptions o = uniques();
        assertThat(o.windows).containsExactly(Duration.ofMinutes(1));
        assertThat(o.settings.counting().countMode()).isEqualTo(CountMode.EXACT);
        assertThat(o.settings.counting().emitMode()).isEqualTo(EmitMode.ON_WATERMARK);
        assertThat(o.settings.counting().allowedLatenessMillis()).isEqualTo(60_000);
        assertThat(o.outputTopic).as("Kafka in: counts to Kafka too").isEqualTo("unique_users");
        assertThat(o.outputDelivery).isEqualTo(KafkaSinks.Delivery.EXACTLY_ONCE);
        assertThat(o.kafka.groupId()).isEqualTo("clickflow-uniques");
        assertThat(o.runtime.checkpointDir()).isEqualTo(Path.of("output/checkpoints/uniques"));
        assertThat(uniques("--windows", "1m,1h,1d").windows)
                .containsExactly(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1));
        assertThat(uniques("--output-topic", "none").outputTopic).isNull();
    }

    @Test
    void uniquesMistakesAreOneLine() {
        assertThatThrownBy(() -> uniques("--windows", "1m,90ms"))
                .hasMessage("--windows: a window is whole seconds of at least 1s, not '90ms'");
        assertThatThrownBy(() -> uniques("--windows", "1m,60s")).hasMessage("--windows: window 60s is listed twice");
        assertThatThrownBy(() -> uniques("--windows", "")).hasMessageStartingWith("--windows: '' is not a duration");
        assertThatThrownBy(() -> uniques("--count", "approx"))
                .hasMessage("--count: must be exact or hll, not 'approx'");
        assertThatThrownBy(() -> uniques("--hll-lg-k", "30"))
                .hasMessage("--hll-lg-k: must be between 4 and 21, not 30");
        assertThatThrownBy(() -> uniques("--output-delivery", "twice"))
                .hasMessage("--output-delivery: must be exactly-once or at-least-once, not 'twice'");
        assertThatThrownBy(() -> uniques("--frames-file", "nope.jsonl"))
                .hasMessage("--frames-file: no such file or folder nope.jsonl");
        assertThatThrownBy(() -> uniques("--update-interval", "1ms"))
                .hasMessage("--update-interval must be at least 10ms");
        assertThatThrownBy(() -> uniques("--frame-topic", "x"))
                .hasMessage("unknown option --frame-topic (did you mean --frames-topic?)");
    }

    @Test
    void theCommandLineRefusesInOneLineAndListsEveryCommand() {
        assertThat(run("frobnicate"))
                .isEqualTo(
                        new ClickflowRun(
                                2,
                                "",
                                "clickflow: unknown command 'frobnicate'; commands: demo, attribution, uniques, analytics, route, generate, generate-frames, generate-tenant-events, serve, bench, submit, test\n"));
        assertThat(run("uniqes"))
                .isEqualTo(new ClickflowRun(2, "", "clickflow: unknown command 'uniqes' (did you mean uniques?)\n"));
        assertThat(run("attribution", "--emit-mod", "update"))
                .isEqualTo(new ClickflowRun(
                        2, "", "clickflow attribution: unknown option --emit-mod (did you mean --emit-mode?)\n"));
        ClickflowRun help = run("--help");
        assertThat(help.code()).isZero();
        for (String command : List.of(
                "demo",
                "attribution",
                "uniques",
                "analytics",
                "route",
                "generate",
                "generate-frames",
                "generate-tenant-events",
                "serve",
                "bench",
                "submit",
                "test")) {
            assertThat(help.out()).as("help lists " + command).containsPattern("(?m)^  " + command + " ");
        }
        assertThat(run("--version").out()).matches("clickflow \\S+ \\(Flink 2\\.\\d+\\.\\d+, Kafka clients \\S+\\)\\n");
        ClickflowRun attributionHelp = run("attribution", "--help");
        assertThat(attributionHelp.out())
                .contains(
                        "--emit-mode=MODE",
                        "Default: on-watermark",
                        "Default: clickflow-attribution",
                        "Default: output/checkpoints/attribution");
        assertThat(Clickflow.jobs()).containsOnlyKeys("attribution", "uniques", "analytics", "route");
    }

    @Test
    void theRoutersStartLineCountsItsDestinationsInEnglish() {
        assertThat(RouteCommand.describe(RouteCommand.parse("--destinations", "{\"A\": {\"output_topic\": \"a\"}}")))
                .contains("-> 1 destination [A -> a]");
        assertThat(RouteCommand.describe(RouteCommand.parse(
                        "--destinations", "{\"A\": {\"output_topic\": \"a\"}, \"B\": {\"output_topic\": \"b\"}}")))
                .contains("-> 2 destinations [");
    }

    @Test
    void theRouterChecksPointsOftenAndPoolsTransactionsByDefaultTheOtherJobsKeepTheirInterval() {
        RouteOptions route = RouteCommand.parse("--destinations", "{\"A\": {\"output_topic\": \"a\"}}");
        assertThat(route.runtime.checkpointInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(route.transactionNaming).isEqualTo(KafkaSinks.TransactionNaming.POOLING);
        assertThat(route.outputTopics()).isEqualTo(KafkaSinks.Topics.of(List.of("a", "processor.dead-letters")));
        assertThat(RouteCommand.parse(
                                "--destinations",
                                "{\"A\": {\"output_topic\": \"a\"}}",
                                "--destinations-topic",
                                "d",
                                "--transaction-naming",
                                "incrementing")
                        .transactionNaming)
                .isEqualTo(KafkaSinks.TransactionNaming.INCREMENTING);
        assertThat(RouteCommand.parse(
                                "--destinations", "{\"A\": {\"output_topic\": \"a\"}}", "--destinations-topic", "d")
                        .outputTopics()
                        .pattern())
                .as("a destination added while running may name any topic")
                .isEqualTo(".*");
        assertThat(AttributionCommand.parse().runtime.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void generateTenantEventsRefusesBadOptionsInOneLineBeforeConnecting() {
        String prefix = "clickflow generate-tenant-events: ";
        assertThat(run("generate-tenant-events", "--format", "avro"))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--format avro needs --schema-registry URL\n"));
        assertThat(run("generate-tenant-events", "--schema-registry", "http://127.0.0.1:1"))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--schema-registry: only for --format avro\n"));
        assertThat(run("generate-tenant-events", "--destinations", "FINANCE,,x"))
                .isEqualTo(new ClickflowRun(
                        2, "", prefix + "--destinations: give names separated by commas, e.g. FINANCE,marketing\n"));
        assertThat(run("generate-tenant-events", "--count", "0"))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--count: must be at least 1, not 0\n"));
        assertThat(run("generate-tenant-events", "--origin-service-id", " "))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--origin-service-id: give an id\n"));
    }

    @Test
    void aSqliteFileThatCannotBeMadeIsOneLineBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("README.md"), "not a folder");
        List<String> jobs = new ArrayList<>();
        for (CommandLine command : commands()) {
            if (command.getCommandSpec().findOption("--jdbc-url") == null) {
                continue;
            }
            String name = command.getCommandSpec().qualifiedName(" ").substring("clickflow ".length());
            jobs.add(name);
            String prefix = "clickflow " + name + ": --jdbc-url: cannot use the SQLite file ";
            assertThat(run(name, "--jdbc-url", "jdbc:sqlite:" + file.resolve("x.db")))
                    .isEqualTo(new ClickflowRun(
                            2, "", prefix + file.resolve("x.db") + ": " + file + " is a file, not a folder\n"));
            assertThat(run(name, "--jdbc-url", "jdbc:sqlite:" + dir))
                    .isEqualTo(new ClickflowRun(2, "", prefix + dir + ": it is a folder\n"));
            if (Files.isDirectory(Path.of("/proc/self"))) {
                // Root may write anywhere, but /proc takes no new entries: only trying tells.
                assertThat(run(name, "--jdbc-url", "jdbc:sqlite:/proc/nope/x.db"))
                        .isEqualTo(new ClickflowRun(
                                2,
                                "",
                                prefix + "/proc/nope/x.db: cannot create the folder /proc/nope"
                                        + " (the file system refuses new entries there)\n"));
            }
        }
        assertThat(jobs).as("every command taking --jdbc-url").containsExactly("attribution", "uniques", "analytics");
        // A file that can be made is accepted, and the check leaves nothing behind.
        Path nested = dir.resolve("a/b/clickflow.db");
        assertThat(attribution("--jdbc-url", "jdbc:sqlite:" + nested).database.sqliteFile())
                .isEqualTo(nested);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void aTypoOfARequiredOptionIsNamedAndAMissingOneIsRequired() {
        assertThat(run("route", "--destination", "{\"A\": {\"output_topic\": \"a\"}}"))
                .isEqualTo(new ClickflowRun(
                        2, "", "clickflow route: unknown option --destination (did you mean --destinations?)\n"));
        assertThat(run("route"))
                .isEqualTo(new ClickflowRun(2, "", "clickflow route: --destinations CONFIG is required\n"));
        assertThat(run("route", "--destinations"))
                .isEqualTo(new ClickflowRun(2, "", "clickflow route: --destinations needs a value CONFIG\n"));
        assertThat(run("route", "--input-topic", "x", "stray"))
                .isEqualTo(new ClickflowRun(
                        2, "", "clickflow route: unexpected argument 'stray' (options start with --)\n"));
        // Every command with a required option says so, and names it for a typo.
        int required = CommandChecks.requiredOptionsAreNamed(Clickflow::commandLine, commands());
        assertThat(required).as("commands with a required option exist").isPositive();
    }

    @Test
    void everyOptionHasItsDefaultInTheHelp() throws Exception {
        CommandChecks.everyOptionHasItsDefaultInTheHelp(commands());
    }

    @Test
    void theDocsDescribeEveryOptionOfEveryCommand() throws Exception {
        CommandChecks.theDocsDescribeEveryOption(commands());
    }

    /** Every command and subcommand of {@code ./clickflow}, depth first (the demo's are the demo module's). */
    static List<CommandLine> commands() {
        return CommandChecks.commands(Clickflow.commandLine());
    }

    @Test
    void retentionIsCheckedAgainstHowLongRowsAreStillCorrected() {
        assertThat(attribution().retention).isNull();
        assertThat(attribution("--retention", "1h").retention).isEqualTo(Duration.ofHours(1));
        assertThat(uniques("--retention", "7d").retention).isEqualTo(Duration.ofDays(7));
        assertThat(io.clickflow.analytics.AnalyticsCommand.parse("--retention", "24h").retention)
                .isEqualTo(Duration.ofHours(24));
        assertThatThrownBy(() -> attribution("--retention", "0")).hasMessage("--retention must be longer than 0");
        assertThatThrownBy(() -> uniques("--retention", "30s"))
                .hasMessage("--retention 30s is shorter than --allowed-lateness (1m): rows still corrected would be"
                        + " deleted and written again in part");
        assertThatThrownBy(() -> io.clickflow.analytics.AnalyticsCommand.parse("--retention", "12h"))
                .hasMessage("--retention 12h is shorter than --allowed-lateness (1d): rows still corrected would"
                        + " be deleted and written again in part");
    }

    /**
     * A bounded input is read to its end, so none of it is ever silent; and a source subtask that has finished
     * holds the end-of-time watermark, which idleness would let through while a reader still re-reads its file
     * after a restore (seen: every frame after a savepoint late).
     */
    @Test
    void idlenessAppliesToUnboundedKafkaOnly(@TempDir Path dir) throws Exception {
        String file = Files.writeString(dir.resolve("in.jsonl"), "").toString();
        assertThat(uniques().settings.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(uniques("--idle-timeout", "5s").settings.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(uniques("--frames-file", file, "--idle-timeout", "5s")
                        .settings
                        .idleTimeout())
                .isZero();
        assertThat(uniques("--bounded").settings.idleTimeout()).isZero();
        assertThat(attribution().settings.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(attribution("--clicks-file", file, "--page-views-file", file)
                        .settings
                        .idleTimeout())
                .isZero();
        assertThat(attribution("--bounded", "--idle-timeout", "5s").settings.idleTimeout())
                .isZero();
        assertThat(io.clickflow.analytics.AnalyticsCommand.parse().settings.idleTimeout())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(io.clickflow.analytics.AnalyticsCommand.parse("--events-file", file)
                        .settings
                        .idleTimeout())
                .isZero();
    }

    @Test
    void consumerPropertiesReachTheInputAndWinOverTheJobsOwn() {
        assertThat(attribution().kafka.properties()).isEmpty();
        assertThat(attribution("--consumer-property", "security.protocol=SSL")
                        .kafka
                        .properties())
                .containsEntry("security.protocol", "SSL");
        // analytics follows its topic live with bigger, less frequent fetches unless told otherwise
        assertThat(io.clickflow.analytics.AnalyticsCommand.parse().kafka.properties())
                .containsEntry("fetch.min.bytes", "65536")
                .containsEntry("fetch.max.wait.ms", "20");
        assertThat(io.clickflow.analytics.AnalyticsCommand.parse("--consumer-property", "fetch.max.wait.ms=500")
                        .kafka
                        .properties())
                .containsEntry("fetch.min.bytes", "65536")
                .containsEntry("fetch.max.wait.ms", "500");
        for (String bad : List.of("fetch.min.bytes", "=5")) {
            assertThatThrownBy(() -> attribution("--consumer-property", bad))
                    .as(bad)
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining("--consumer-property")
                    .hasMessageNotContaining("\n");
        }
    }

    private static UniquesOptions uniques(String... args) {
        return UniquesCommand.parse(args);
    }

    private static AttributionOptions attribution(String... args) {
        return AttributionCommand.parse(args);
    }
}
