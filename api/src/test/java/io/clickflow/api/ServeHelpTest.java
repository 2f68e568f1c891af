package io.clickflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.commandline.Cli;
import io.clickflow.testing.HelpTexts;

import org.junit.jupiter.api.Test;

/** {@code ./clickflow serve --help} prints no picocli warning and breaks no word (a path, a URL) across lines. */
class ServeHelpTest {
    @Test
    void theHelpIsCleanAndWhole() {
        assertThat(HelpTexts.problems(Cli.commandLine(new ServeCommand()))).isEmpty();
    }
}
