package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/** The bench's options are documented and a bad one is refused in one line before anything starts. */
class BenchCommandTest {
    @Test
    void theDocsDescribeEveryOptionAndCase() throws Exception {
        StringBuilder docs = new StringBuilder(Files.readString(Path.of("..", "README.md")));
        try (Stream<Path> files = Files.list(Path.of("..", "docs"))) {
            for (Path p :
                    files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                docs.append(Files.readString(p));
            }
        }
        CommandLine bench = Cli.commandLine(new BenchCommand());
        for (CommandLine command : new CommandLine[] {
            bench,
            bench.getSubcommands().get("uniques"),
            bench.getSubcommands().get("analytics"),
            bench.getSubcommands().get("api"),
            bench.getSubcommands().get("router"),
            bench.getSubcommands().get("sink"),
            bench.getSubcommands().get("tables")
        }) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.usageHelp() && !option.versionHelp()) {
                    assertThat(docs)
                            .as("docs describe bench " + option.longestName())
                            .contains("`" + option.longestName());
                }
            }
        }
        for (String c : BenchCommand.ALL_CASES) {
            assertThat(docs).as("docs name the case " + c).contains(c);
        }
        for (String c : UniquesBench.ALL_CASES) {
            assertThat(docs).as("docs name the case " + c).contains("`" + c + "`");
        }
        for (String c : AnalyticsBench.ALL_CASES) {
            assertThat(docs).as("docs name the analytics case " + c).contains("`" + c + "`");
        }
        for (String c : ApiBench.ALL_CASES) {
            assertThat(docs).as("docs name the api case " + c).contains("`" + c + "`");
        }
        for (String c : RouterBench.ALL_CASES) {
            assertThat(docs).as("docs name the router case " + c).contains("`" + c + "`");
        }
    }

    @Test
    void theBenchSectionsOfTheOptionsReferenceListEveryOptionOfTheirBench() throws Exception {
        // The subcommands share option names (--cold, --cases): each must be in its bench's own section.
        assertSectionListsEveryOption(new BenchCommand(), "## `./clickflow bench`", "`./clickflow bench uniques`");
        assertSectionListsEveryOption(
                new UniquesBench(), "`./clickflow bench uniques` measures", "`./clickflow bench analytics` measures");
        assertSectionListsEveryOption(
                new AnalyticsBench(), "`./clickflow bench analytics` measures", "`./clickflow bench api` measures");
        assertSectionListsEveryOption(
                new ApiBench(), "`./clickflow bench api` measures", "`./clickflow bench router` measures");
    }

    private static void assertSectionListsEveryOption(Object command, String start, String end) throws Exception {
        String options = Files.readString(Path.of("..", "docs", "options.md"));
        int from = options.indexOf(start);
        String section = options.substring(from, options.indexOf(end, from));
        for (OptionSpec option : Cli.commandLine(command).getCommandSpec().options()) {
            if (!option.usageHelp() && !option.versionHelp()) {
                String name =
                        option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
                assertThat(section).as(start + " has a row for " + name).contains("| `" + name);
            }
        }
    }

    @Test
    void jobCasesAreWarmedUpUnlessCold() {
        assertThat(Cli.parse(new BenchCommand()).cold).isFalse();
        assertThat(Cli.parse(new BenchCommand(), "--cold").cold).isTrue();
    }

    @Test
    void threadsAreSortedIntoTheStagesTheTableShowsCpuFor() {
        // Linux keeps the first 15 characters of a thread's name.
        Map<String, String> stages = Map.ofEntries(
                Map.entry("Source Data Fet", "source"),
                Map.entry("Source: ad clic", "source"),
                Map.entry("kafka-coordinat", "source"),
                Map.entry("attribute page ", "operator"),
                Map.entry("IntervalJoin[19", "operator"),
                Map.entry("Rank[22] -> Cal", "operator"),
                Map.entry("attributed_page", "sinks"),
                Map.entry("rejected_events", "sinks"),
                Map.entry("late_events: Wr", "sinks"),
                Map.entry("C2 CompilerThre", "JIT"),
                Map.entry("GC Thread#0", "GC"),
                Map.entry("Checkpoint Time", "other"),
                Map.entry("flink-pekko.act", "other"));
        stages.forEach((thread, stage) ->
                assertThat(BenchCase.stage(thread)).as(thread).isEqualTo(stage));
        assertThat(BenchCase.STAGES).contains("source", "operator", "sinks", "other");
    }

    @Test
    @Timeout(30)
    void aRunsCpuTimeIsCountedForTheStageOfTheThreadThatSpentIt() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "per-thread CPU time comes from Linux's /proc");
        BenchCase.StageCpu cpu = new BenchCase.StageCpu();
        cpu.start();
        CountDownLatch burnt = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        Thread operator = new Thread(
                () -> {
                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    long x = 0;
                    while (threads.getCurrentThreadCpuTime() < BURN_NANOS) {
                        x += Long.numberOfTrailingZeros(x + 1);
                    }
                    burnt.countDown();
                    try {
                        // lives on past a read of /proc, as the job's task threads do until the job ends
                        read.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "attribute page views to clicks");
        operator.start();
        burnt.await();
        cpu.sample();
        read.countDown();
        operator.join();
        cpu.stop();
        assertThat(cpu.millisByStage().keySet()).containsExactlyElementsOf(BenchCase.STAGES);
        assertThat(cpu.millisByStage().get("operator"))
                .as("CPU ticks are 10 ms")
                .isBetween(BURN_NANOS / 1_000_000 - 20, BURN_NANOS / 1_000_000 + 100);
    }

    private static final long BURN_NANOS = 300_000_000;

    @Test
    void routerBenchRefusesBadCountsFractionsAndDurationsInOneLine() {
        RouterBench defaults = Cli.parse(new RouterBench());
        defaults.check();
        assertThat(defaults.parallelism()).as("0: one per input partition").isEqualTo(4);
        assertThat(defaults.names()).containsExactly("FINANCE", "RETAIL", "LOGISTICS", "MARKETING");
        assertThat(Cli.parse(new RouterBench(), "--destinations", "10").names())
                .hasSize(10)
                .contains("BILLING", "DEST9", "DEST10");
        assertThat(defaults.destinationsJson("router.x"))
                .contains("\"FINANCE\":{\"output_topic\":\"router.x.finance\"}");
        for (String[] bad : new String[][] {
            {"--records", "10"},
            {"--partitions", "0"},
            {"--destinations", "0"},
            {"--output-partitions", "0"},
            {"--parallelism", "-1"},
            {"--checkpoint-interval", "9ms"},
            {"--unconfigured-fraction", "1.5"},
            {"--malformed-fraction", "-0.1"},
            {"--latency-rate", "0"},
            {"--latency-duration", "500ms"},
            {"--job-heap", "big"},
            {"--cases", "ceiling,flink-sql"}
        }) {
            assertThatThrownBy(() -> Cli.parse(new RouterBench(), bad).check())
                    .as(String.join(" ", bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining(bad[0])
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> Cli.parse(new RouterBench(), "--latency-warmup", "soon"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--latency-warmup");
    }

    @Test
    void analyticsBenchRefusesBadCountsAndFractionsInOneLine() {
        Cli.parse(new AnalyticsBench()).check();
        assertThat(Cli.parse(new AnalyticsBench()).jobs.partitions).isEqualTo(4);
        for (String[] bad : new String[][] {
            {"--events", "10"},
            {"--hours", "0"},
            {"--historic", "1.5"},
            {"--keyed", "-0.1"},
            {"--retries", "2"},
            {"--partitions", "0"},
            {"--users", "0"},
            {"--parallelism", "0"},
            {"--job-heap", "big"},
            {"--cases", "file-exact,warp"}
        }) {
            assertThatThrownBy(() -> Cli.parse(new AnalyticsBench(), bad).check())
                    .as(String.join(" ", bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining(bad[0])
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> Cli.parse(new AnalyticsBench(), "--emit-mode", "sometimes"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--emit-mode");
    }

    @Test
    void theRouterTargetsAreMetOrMissedByHowMuch() {
        RouterReport.Row ceiling = row("ceiling", 100_000, Double.NaN);
        RouterReport.Row eo = row("exactly-once", 60_000, 1_450);
        RouterReport.Row streams = row("kafka-streams", 50_000, 900);
        var targets = RouterReport.targets(java.util.List.of(ceiling, eo, streams), java.time.Duration.ofSeconds(1));
        assertThat(targets).hasSize(3);
        assertThat(targets.get(0)).containsExactly("exactly-once records/s / ceiling", "0.60x", "met (target >= 0.6x)");
        assertThat(targets.get(1)[2]).isEqualTo("MISSED by 0.30x (target >= 1.5x)");
        assertThat(targets.get(2)[2]).isEqualTo("MISSED by 150.00 ms (target <= 1300 ms)");
        assertThat(RouterReport.targets(java.util.List.of(ceiling), java.time.Duration.ofSeconds(1)))
                .as("a target whose cases did not run is left out")
                .isEmpty();

        // Issue 24: broker CPU per record exactly-once vs at-least-once, and each tool at its own defaults.
        eo.brokerCpuSeconds = 14;
        RouterReport.Row alo = row("at-least-once", 60_000, 600);
        alo.brokerCpuSeconds = 10;
        RouterReport.Row shipped = row("exactly-once-defaults", -1, 420);
        RouterReport.Row streamsDefaults = row("kafka-streams-defaults", -1, 400);
        var issue24 = RouterReport.targets(
                java.util.List.of(eo, alo, shipped, streamsDefaults), java.time.Duration.ofSeconds(1));
        assertThat(issue24).hasSize(4);
        assertThat(issue24.get(1))
                .containsExactly(
                        "broker CPU/record exactly-once / at-least-once", "1.40x", "MISSED by 0.10x (target <= 1.3x)");
        assertThat(issue24.get(2)).containsExactly("p99 as shipped", "420.00 ms", "met (target <= 500 ms)");
        assertThat(issue24.get(3)[2]).isEqualTo("MISSED by 20.00 ms (target <= 400 ms)");
    }

    private static RouterReport.Row row(String name, long perSecond, double p99) {
        RouterReport.Row r = new RouterReport.Row();
        r.name = name;
        r.records = perSecond * 10;
        r.nanos = 10_000_000_000L;
        r.p99 = p99;
        return r;
    }

    @Test
    void apiBenchRefusesBadRatesDurationsAndCountsInOneLine() {
        assertThat(Cli.parse(new ApiBench()).rates()).containsExactly(25, 50, 75);
        assertThat(Cli.parse(new ApiBench(), "--rates", "50").rates()).containsExactly(50);
        assertThat(Cli.parse(new ApiBench()).connectionCounts()).containsExactly(64, 256);
        assertThat(Cli.parse(new ApiBench(), "--connections", "32").connectionCounts())
                .containsExactly(32);
        for (String[] bad : new String[][] {
            {"--rates", "50,fast"},
            {"--rates", "0"},
            {"--rates", "150"},
            {"--duration", "0s"},
            {"--warmup-max", "-1s"},
            {"--freshness-duration", "500ms"},
            {"--connections", "0"},
            {"--connections", "64,many"},
            {"--client-threads", "0"},
            {"--users", "0"},
            {"--job-heap", "big"}
        }) {
            assertThatThrownBy(() -> Cli.parse(new ApiBench(), bad).check())
                    .as(String.join(" ", bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining(bad[0])
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> Cli.parse(new ApiBench(), "--warmup", "soon"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--warmup");
    }

    @Test
    void badOptionsAreOneLineBeforeAnythingStarts() {
        assertThatThrownBy(() -> Cli.parse(new BenchCommand(), "--cases", "ceiling,turbo")
                        .check())
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown case 'turbo'");
        assertThatThrownBy(() ->
                        Cli.parse(new BenchCommand(), "--job-heap", "lots").check())
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--job-heap");
        for (String[] bad : new String[][] {{"--freshness-duration", "0s"}, {"--freshness-warmup", "-1s"}}) {
            assertThatThrownBy(() -> Cli.parse(new BenchCommand(), bad).check())
                    .as(String.join(" ", bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining(bad[0])
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> Cli.parse(new UniquesBench(), "--cases", "file-ceiling,warp")
                        .check())
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown case 'warp'");
        assertThatThrownBy(() ->
                        Cli.parse(new ApiBench(), "--cases", "ceiling,nginx").check())
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown case 'nginx'");
        assertThatThrownBy(() -> Cli.parse(new ApiBench(), "--event", "5"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--event");
        assertThatThrownBy(() -> Cli.parse(new BenchCommand(), "--event", "5"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--events");
    }
}
