package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.commandline.Cli;
import io.clickflow.testing.HelpTexts;

import org.junit.jupiter.api.Test;

/** {@code ./clickflow bench --help} and its subcommands' print no picocli warning and break no word across lines. */
class BenchHelpTest {
    @Test
    void everyHelpIsCleanAndWhole() {
        assertThat(HelpTexts.commands(Cli.commandLine(new BenchCommand())))
                .as("the walk reaches the subcommands")
                .hasSizeGreaterThan(1);
        assertThat(HelpTexts.problems(Cli.commandLine(new BenchCommand()))).isEmpty();
    }
}
