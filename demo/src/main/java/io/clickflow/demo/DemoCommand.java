package io.clickflow.demo;

import io.clickflow.Clickflow;
import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.AttributionJob;
import io.clickflow.attribution.AttributionOptions;
import io.clickflow.attribution.ClickstreamGenerator;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.options.EventTimeOptions;
import io.clickflow.runner.JobRunner;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributionTables;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow demo}: a real Kafka broker as a child process, the generator writing to it, the
 * attribution job reading it in a local MiniCluster with the Web UI, and a serve process for the results page,
 * until Ctrl-C or --duration.
 */
@Command(
        name = "demo",
        defaultValueProvider = DemoCommand.TrafficDefaults.class,
        subcommands = {DemoAnalyticsCommand.class, DemoRouterCommand.class, DemoUniquesCommand.class},
        header =
                "Start a Kafka broker, generate traffic and run attribution on it, with the Web UI and a results page.",
        description = {
            "Starts a Kafka broker (KRaft, child process), creates the topics, generates traffic into them and runs",
            "the attribution job on it in a local MiniCluster with the Flink Web UI, and ./clickflow serve (child JVM)",
            "for the live results page on --page-port. Everything lives under output/demo/ and is started afresh on",
            "each run. Ctrl-C (or --duration) stops it all with a savepoint."
        })
public final class DemoCommand implements Callable<Integer> {
    /** {@code ./clickflow demo [command] [options]}: the launcher runs it from this module, outside the job jar. */
    public static void main(String[] args) {
        CommandLine cl = Cli.commandLine(new DemoCommand());
        cl.setCommandName("clickflow demo");
        int code = Clickflow.execute(cl, args);
        if (code != 0) {
            System.exit(code);
        }
    }

    static final Path DEMO_DIR = Path.of("output", "demo");

    @Mixin
    DemoOptions demo;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "1000", description = "Generated events per second.")
    int rate;

    @Option(
            names = "--emit-mode",
            paramLabel = "MODE",
            defaultValue = "update",
            description = "on-watermark | update (see ./clickflow attribution --help).")
    EmitMode emitMode;

    @Mixin
    EventTimeOptions.OutOfOrderness outOfOrderness;

    @Option(
            names = "--attribution-window",
            paramLabel = "DURATION",
            defaultValue = "30m",
            description = "Attribution window of the job.")
    Duration attributionWindow;

    @Mixin
    ResultsPageServer.PortOption pageOptions;

    /** The API's classpath file; null: the launcher's (tests set it). */
    Path apiClasspathFile;

    @Mixin
    GenerateCommand.TrafficOptions traffic;

    /**
     * The demo's traffic: 2,000 users clicking in a tenth of their events, so within a minute most users have
     * clicked and most page views are attributed; a few late, malformed and duplicate events to see handled.
     */
    public static final class TrafficDefaults implements IDefaultValueProvider {
        static final Map<String, String> VALUES = Map.of(
                "--users",
                "2000",
                "--click-ratio",
                "0.1",
                "--max-disorder",
                "2s",
                "--late-fraction",
                "0.001",
                "--malformed-fraction",
                "0.001",
                "--duplicate-fraction",
                "0.002");

        @Override
        public String defaultValue(ArgSpec arg) {
            return arg instanceof OptionSpec o ? VALUES.get(o.longestName()) : null;
        }
    }

    @Override
    public Integer call() throws Exception {
        demo.check();
        ClickstreamGenerator.Config generatorConfig = traffic.config(System.currentTimeMillis(), rate);
        // Parse the job's options before starting anything, so a bad one stops the demo at once.
        int brokerPort = DemoSession.brokerPort();
        AttributionOptions job = jobOptions(brokerPort);
        Path classpath = KafkaBroker.defaultRuntimeClasspath();
        String apiClasspath = ResultsPageServer.check(pageOptions.pagePort, demo.webPort, apiClasspathFile);
        try (DemoSession session = DemoSession.start(DEMO_DIR, classpath, brokerPort)) {
            KafkaBroker broker = session.broker();
            session.createTopics(demo.partitions, job.clicksTopic, job.pageViewsTopic, ResultsPageServer.EVENTS_TOPIC);
            session.serveResultsPage(apiClasspath, pageOptions.pagePort, job.database.sqliteFile(), demo.webPort);

            session.generate(stop -> {
                // Event time starts now, not when the options were read: the broker took seconds to start.
                ClickstreamGenerator live =
                        new ClickstreamGenerator(generatorConfig.withStartTime(System.currentTimeMillis()));
                GenerateCommand.toKafka(
                        live,
                        Long.MAX_VALUE,
                        broker.bootstrapServers(),
                        job.clicksTopic,
                        job.pageViewsTopic,
                        true,
                        generatorConfig.eventsPerSecond(),
                        stop,
                        null);
            });
            System.out.printf(
                    "Generating %,.0f events/s for %,d users (late %s, malformed %s, duplicates %s).%n",
                    generatorConfig.eventsPerSecond(),
                    generatorConfig.users(),
                    traffic.lateFraction,
                    traffic.malformedFraction,
                    traffic.duplicateFraction);
            System.out.printf(
                    "A page view is attributed when its user clicked within %s before it: with %,d users and %.0f%% "
                            + "clicks, most users have clicked after a minute or so, and the share attributed grows.%n",
                    Durations.format(attributionWindow), generatorConfig.users(), 100 * generatorConfig.clickRatio());

            System.out.println(
                    "Attribution: " + job.database.describe() + ", emit " + Cli.name(job.settings.emitMode()));
            JobRunner.run(
                    "clickflow demo attribution",
                    job.runtime,
                    env -> AttributionJob.build(env, job),
                    AttributionCommand.progress(job),
                    session.whenSubmitted(demo.duration));
        }
        DemoSession.printQueries(
                job.database.sqliteFile(),
                "SELECT COALESCE(attributed_campaign_id, '(no click)') AS campaign, COUNT(*) AS page_views" + " FROM "
                        + AttributionTables.ATTRIBUTED.name() + " GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
                "SELECT is_final, COUNT(*) AS page_views, COUNT(attributed_click_id) AS attributed" + " FROM "
                        + AttributionTables.ATTRIBUTED.name() + " GROUP BY is_final",
                DemoSession.DEAD_LETTERS_QUERY);
        return 0;
    }

    AttributionOptions jobOptions(int brokerPort) {
        return AttributionCommand.parse(demo.jobArgs(
                brokerPort,
                "clickflow-demo",
                DEMO_DIR,
                "--jdbc-url",
                DemoOptions.sqliteUrl(DEMO_DIR),
                "--emit-mode",
                Cli.name(emitMode),
                "--out-of-orderness",
                Durations.format(outOfOrderness.value()),
                "--attribution-window",
                Durations.format(attributionWindow)));
    }
}
