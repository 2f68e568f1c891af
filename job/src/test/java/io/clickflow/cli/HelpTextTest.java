package io.clickflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.Clickflow;
import io.clickflow.testing.HelpTexts;

import org.junit.jupiter.api.Test;

/** Every command's and subcommand's --help prints no picocli warning and breaks no word (a path) across lines. */
class HelpTextTest {

    @Test
    void everyHelpIsCleanAndWhole() {
        assertThat(HelpTexts.commands(Clickflow.commandLine()))
                .as("the walk reaches the subcommands")
                .containsKeys("clickflow", "clickflow analytics", "clickflow demo analytics", "clickflow route");
        assertThat(HelpTexts.problems(Clickflow.commandLine())).isEmpty();
    }

    @Test
    void theCheckSeesAnUnescapedPercentSign() {
        @picocli.CommandLine.Command(name = "x")
        class Bad {
            @picocli.CommandLine.Option(names = "--y", description = "error 0.81%.")
            int y;
        }
        assertThat(HelpTexts.problems(new picocli.CommandLine(new Bad())))
                .singleElement()
                .asString()
                .startsWith("x --help warns: [picocli WARN] Could not format 'error 0.81%.'");
    }
}
