package io.clickflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionOptions;
import io.clickflow.functions.CountMode;
import io.clickflow.functions.EmitMode;
import io.clickflow.generator.GenerateFramesCommand;
import io.clickflow.io.UniquesKafkaOutput;
import io.clickflow.uniques.UniquesOptions;
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
        for (CommandLine cl : List.of(AttributionOptions.commandLine(), UniquesOptions.commandLine(), GenerateCommand.commandLine(),
                GenerateFramesCommand.commandLine(), DemoCommand.commandLine())) {
            for (CommandLine.Option option : cl.options().stream().filter(o -> !o.name().equals("help")).toList()) {
                assertThat(readme).as("README documents --" + option.name()).contains("`--" + option.name());
            }
        }
    }

    @Test
    void uniquesOptionsParseWithDefaults() {
        UniquesOptions o = uniques();
        assertThat(o.windows).containsExactly(Duration.ofMinutes(1));
        assertThat(o.settings.counting().countMode()).isEqualTo(CountMode.EXACT);
        assertThat(o.settings.counting().emitMode()).isEqualTo(EmitMode.ON_WATERMARK);
        assertThat(o.settings.counting().allowedLatenessMillis()).isEqualTo(60_000);
        assertThat(o.outputTopic).as("Kafka in: counts to Kafka too").isEqualTo("unique_users");
        assertThat(o.outputDelivery).isEqualTo(UniquesKafkaOutput.Delivery.EXACTLY_ONCE);
        assertThat(uniques("--windows", "1m,1h,1d").windows).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1));
        assertThat(uniques("--output-topic", "none").outputTopic).isNull();
    }

    @Test
    void uniquesMistakesAreOneLine() {
        assertThatThrownBy(() -> uniques("--windows", "1m,90ms")).hasMessage("--windows: a window is whole seconds of at least 1s, not '90ms'");
        assertThatThrownBy(() -> uniques("--windows", "1m,60s")).hasMessage("--windows: window 60s is listed twice");
        assertThatThrownBy(() -> uniques("--windows", "")).hasMessageStartingWith("--windows: '' is not a duration");
        assertThatThrownBy(() -> uniques("--count", "approx")).hasMessage("--count: must be exact or hll, not 'approx'");
        assertThatThrownBy(() -> uniques("--hll-lg-k", "30")).hasMessage("--hll-lg-k: must be between 4 and 21, not 30");
        assertThatThrownBy(() -> uniques("--output-delivery", "twice")).hasMessage("--output-delivery: must be exactly-once or at-least-once, not 'twice'");
        assertThatThrownBy(() -> uniques("--frames-file", "nope.jsonl")).hasMessage("--frames-file: no such file or folder nope.jsonl");
        assertThatThrownBy(() -> uniques("--update-interval", "1ms")).hasMessage("--update-interval must be at least 10ms");
        assertThatThrownBy(() -> uniques("--frame-topic", "x")).hasMessage("unknown option --frame-topic (did you mean --frames-topic?)");
    }

    private static UniquesOptions uniques(String... args) {
        return UniquesOptions.parse(UniquesOptions.commandLine().parse(args));
    }

    private static AttributionOptions parse(String... args) {
        return AttributionOptions.parse(AttributionOptions.commandLine().parse(args));
    }
}
