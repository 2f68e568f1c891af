package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.cli.CommandLine;
import io.clickflow.cli.UsageException;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** The bench's options are documented in the README and a bad one is refused in one line before anything starts. */
class BenchCommandTest {
    @Test
    void theReadmeDocumentsEveryOptionAndCase() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (CommandLine.Option option : BenchCommand.commandLine().options()) {
            if (option.name().equals("help")) {
                continue;
            }
            assertThat(readme).as("README documents --" + option.name()).contains("`--" + option.name());
        }
        for (String c : BenchCommand.ALL_CASES) {
            assertThat(readme).as("README names the case " + c).contains(c);
        }
        for (CommandLine.Option option : UniquesBench.commandLine().options()) {
            if (option.name().equals("help")) {
                continue;
            }
            assertThat(readme).as("README documents bench uniques --" + option.name()).contains("`--" + option.name());
        }
        for (String c : UniquesBench.ALL_CASES) {
            assertThat(readme).as("README names the case " + c).contains("`" + c + "`");
        }
    }

    @Test
    void badOptionsAreOneLineBeforeAnythingStarts() {
        assertThatThrownBy(() -> BenchCommand.run(BenchCommand.commandLine().parse(new String[] {"--cases", "ceiling,turbo"})))
                .isInstanceOf(UsageException.class).hasMessageContaining("unknown case 'turbo'");
        assertThatThrownBy(() -> BenchCommand.run(BenchCommand.commandLine().parse(new String[] {"--job-heap", "lots"})))
                .isInstanceOf(UsageException.class).hasMessageContaining("--job-heap");
        assertThatThrownBy(() -> UniquesBench.run(UniquesBench.commandLine().parse(new String[] {"--cases", "file-ceiling,warp"})))
                .isInstanceOf(UsageException.class).hasMessageContaining("unknown case 'warp'");
        assertThatThrownBy(() -> BenchCommand.commandLine().parse(new String[] {"--event", "5"}))
                .isInstanceOf(UsageException.class).hasMessageContaining("--events");
    }
}
