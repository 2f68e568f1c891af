package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
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
            bench, bench.getSubcommands().get("uniques"), bench.getSubcommands().get("api")
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
        for (String c : ApiBench.ALL_CASES) {
            assertThat(docs).as("docs name the api case " + c).contains("`" + c + "`");
        }
    }

    @Test
    void apiBenchRefusesBadRatesDurationsAndCountsInOneLine() {
        assertThat(Cli.parse(new ApiBench()).rates()).containsExactly(25, 50, 75);
        assertThat(Cli.parse(new ApiBench(), "--rates", "50").rates()).containsExactly(50);
        for (String[] bad : new String[][] {
            {"--rates", "50,fast"},
            {"--rates", "0"},
            {"--rates", "150"},
            {"--duration", "0s"},
            {"--freshness-duration", "500ms"},
            {"--connections", "0"},
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
