package io.clickflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionOptions;
import io.clickflow.demo.DemoCommand;
import io.clickflow.generator.GenerateCommand;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Options parse as documented, every mistake is one clear line, and the README lists every option. */
class CommandLineTest {

    @Test
    void durationsAcceptTheDocumentedForms() {
        assertThat(CommandLine.parseDuration("0")).isEqualTo(Duration.ZERO);
        assertThat(CommandLine.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(CommandLine.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(CommandLine.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(CommandLine.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(CommandLine.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> CommandLine.parseDuration("5")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> CommandLine.parseDuration("-5s")).hasMessageContaining("not a duration");
    }

    @Test
    void attributionOptionsParseWithDefaults() {
        AttributionOptions o = AttributionOptions.parse(AttributionOptions.commandLine().parse(new String[] {
                "--emit-mode", "update", "--attribution-window=10m", "--bounded"}));
        assertThat(o.settings.emitMode().cliName()).isEqualTo("update");
        assertThat(o.settings.attributionWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.settings.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.kafka.bounded()).isTrue();
        assertThat(o.fileMode()).isFalse();
        assertThat(o.database.url()).startsWith("jdbc:sqlite:output/clickflow.db?journal_mode=WAL");
    }

    @Test
    void mistakesAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> parse("--emit-mode", "sometimes")).isInstanceOf(UsageException.class)
                .hasMessage("--emit-mode: must be on-watermark or update, not 'sometimes'");
        assertThatThrownBy(() -> parse("--attribution-windw", "5m")).hasMessage(
                "unknown option --attribution-windw (did you mean --attribution-window?)");
        assertThatThrownBy(() -> parse("--clicks-file", "x.jsonl")).hasMessage(
                "file mode needs both --clicks-file and --page-views-file");
        assertThatThrownBy(() -> parse("--clicks-file", "nope.jsonl", "--page-views-file", "nope2.jsonl"))
                .hasMessage("--clicks-file: no such file nope.jsonl");
        assertThatThrownBy(() -> parse("--parallelism", "0")).hasMessage("--parallelism: must be between 1 and 1024, not 0");
        assertThatThrownBy(() -> parse("--jdbc-url", "jdbc:mysql://x/y")).hasMessageStartingWith("--jdbc-url: unsupported");
        assertThatThrownBy(() -> parse("--state-backend", "disk")).hasMessage("--state-backend: must be hashmap or rocksdb, not 'disk'");
        assertThatThrownBy(() -> parse("--out-of-orderness")).hasMessage("--out-of-orderness needs a value DURATION");
        assertThatThrownBy(() -> parse("stray")).hasMessageStartingWith("unexpected argument 'stray'");
        assertThatThrownBy(() -> parse("--attribution-window", "0")).hasMessage("--attribution-window must be longer than 0");
    }

    @Test
    void theReadmeDocumentsEveryOptionOfEveryCommand() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (CommandLine cl : List.of(AttributionOptions.commandLine(), GenerateCommand.commandLine(), DemoCommand.commandLine())) {
            for (CommandLine.Option option : cl.options().stream().filter(o -> !o.name().equals("help")).toList()) {
                assertThat(readme).as("README documents --" + option.name()).contains("`--" + option.name());
            }
        }
    }

    private static AttributionOptions parse(String... args) {
        return AttributionOptions.parse(AttributionOptions.commandLine().parse(args));
    }
}
