package io.clickflow.options;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.Clickflow;
import io.clickflow.testing.HelpTexts;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's and subcommand's --help prints no picocli warning and breaks no word (a path) across lines. */
class HelpTextTest {

    @Test
    void everyHelpIsCleanAndWhole() {
        assertThat(HelpTexts.commands(Clickflow.commandLine()))
                .as("the walk reaches the subcommands")
                .containsKeys("clickflow", "clickflow analytics", "clickflow route");
        assertThat(HelpTexts.problems(Clickflow.commandLine())).isEmpty();
    }

    @Test
    void theRoutersHelpSpeaksOfNoDatabase() {
        CommandLine route = Clickflow.commandLine().getSubcommands().get("route");
        assertThat(route.getUsageMessage())
                .as("the router writes Kafka only; --checkpoint-interval says what a checkpoint means for it")
                .doesNotContainIgnoringCase("database")
                .contains("read_committed");
        assertThat(Clickflow.commandLine().getSubcommands().get("analytics").getUsageMessage())
                .contains("rows reach the database");
    }

    @Test
    void theCheckSeesAnUnescapedPercentSign() {
        @CommandLine.Command(name = "x")
        class Bad {
            @CommandLine.Option(names = "--y", description = "error 0.81%.")
            int y;
        }
        assertThat(HelpTexts.problems(new CommandLine(new Bad())))
                .singleElement()
                .asString()
                .startsWith("x --help warns: [picocli WARN] Could not format 'error 0.81%.'");
    }
}
