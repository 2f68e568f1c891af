package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.ClickflowRun;
import io.clickflow.commandline.Cli;
import io.clickflow.testing.CommandChecks;
import io.clickflow.testing.HelpTexts;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code ./clickflow demo}'s command line, as the job jar's commands are checked (CliTest, OptionsReferenceTest):
 * one-line refusals before anything starts, every default in the help, every option in the docs and in the
 * generated tables of docs/options.md.
 */
class DemoCliTest {
    /** The demo's command tree as the launcher runs it. */
    static CommandLine demo() {
        return Cli.commandLine(new DemoCommand());
    }

    /** The demo and its subcommands. */
    static List<CommandLine> commands() {
        CommandLine root = demo();
        List<CommandLine> all = new ArrayList<>(List.of(root));
        all.addAll(CommandChecks.commands(root));
        return all;
    }

    private static ClickflowRun run(Supplier<CommandLine> cl, String... args) {
        return ClickflowRun.run(cl, args);
    }

    /** The demo passes --out-of-orderness on to the attribution job: the job's option, text and check. */
    @Test
    void demoTakesTheJobsOutOfOrderness() throws Exception {
        assertThat(run(DemoCliTest::demo, "--help").out()).contains("How far event time may go backwards");
        ClickflowRun bad = run(DemoCliTest::demo, "--out-of-orderness", "soon");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err())
                .startsWith("clickflow demo: ")
                .contains("--out-of-orderness")
                .hasLineCount(1);
    }

    @Test
    void demoAnalyticsRefusesBadOptionsInOneLineBeforeStartingAnything() throws Exception {
        String prefix = "clickflow demo analytics: ";
        assertThat(run(DemoCliTest::demo, "analytics", "--rate", "0"))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--rate: must be between 1 and 100000, not 0\n"));
        assertThat(run(DemoCliTest::demo, "analytics", "--users", "0"))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--users: must be between 1 and 10000000, not 0\n"));
        assertThat(run(DemoCliTest::demo, "analytics", "--api-ports", "18080,18080"))
                .isEqualTo(new ClickflowRun(
                        2, "", prefix + "--api-ports: port 18080 is given twice (or is the --web-port)\n"));
        assertThat(run(DemoCliTest::demo, "analytics", "--api-ports", "1,2,3,4,5,6,7,8,9"))
                .isEqualTo(new ClickflowRun(
                        2, "", prefix + "--api-ports: the number of ports: must be between 1 and 8, not 9\n"));
        assertThat(run(DemoCliTest::demo, "analytics", "--api-ports", "70000"))
                .isEqualTo(new ClickflowRun(2, "", prefix + "--api-ports: must be between 0 and 65535, not 70000\n"));
        assertThat(run(DemoCliTest::demo, "analytics", "--api-ports", "80x"))
                .extracting(ClickflowRun::code, ClickflowRun::out)
                .containsExactly(2, "");
        assertThat(run(DemoCliTest::demo, "analytics", "--rat", "5").err())
                .isEqualTo(prefix + "unknown option --rat (did you mean --rate?)\n");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            assertThat(run(DemoCliTest::demo, "analytics", "--api-ports", "0," + port))
                    .isEqualTo(new ClickflowRun(
                            2,
                            "",
                            prefix + "--api-ports: port " + port
                                    + " for an API server is in use (another clickflow?)\n"));
            assertThat(run(DemoCliTest::demo, "analytics", "--api-ports", "0,0", "--web-port", Integer.toString(port)))
                    .isEqualTo(new ClickflowRun(
                            2,
                            "",
                            prefix + "--web-port: port " + port
                                    + " for the Flink Web UI is in use (another clickflow?)\n"));
        }
        // demo alone is still the attribution demo; analytics is its subcommand.
        ClickflowRun demoHelp = run(DemoCliTest::demo, "--help");
        assertThat(demoHelp.out()).contains("attribution").containsPattern("(?m)^  analytics ");
        assertThat(run(DemoCliTest::demo, "analytics", "--help").out())
                .contains("--api-ports=PORT,PORT", "Default: 8080,8082", "Default: 500");
    }

    /** Every demo's --help prints no picocli warning and breaks no word (a path) across lines. */
    @Test
    void everyHelpIsCleanAndWhole() {
        assertThat(HelpTexts.commands(demo()))
                .as("the walk reaches the subcommands")
                .containsKeys("demo", "demo analytics", "demo router", "demo uniques");
        assertThat(HelpTexts.problems(demo())).isEmpty();
    }

    @Test
    void everyOptionHasItsDefaultInTheHelp() throws Exception {
        CommandChecks.everyOptionHasItsDefaultInTheHelp(commands());
    }

    @Test
    void theDocsDescribeEveryOptionOfEveryDemo() throws Exception {
        CommandChecks.theDocsDescribeEveryOption(commands());
    }

    @Test
    void aMissingOrMisspeltRequiredOptionIsNamed() {
        CommandChecks.requiredOptionsAreNamed(DemoCliTest::demo, commands());
    }

    /** The demo's sections of docs/options.md; write them anew with -Dclickflow.writeDocs=true. */
    @Test
    void theOptionTablesAreTheDemosOwn() throws Exception {
        CommandChecks.optionTablesAreTheCommandsOwn(
                CommandChecks.bySection(commands(), ""), section -> section.startsWith("demo"));
    }
}
