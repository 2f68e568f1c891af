package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.UsageException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The seed's destination configuration and the changes read from the destinations topic. */
class DestinationsTest {
    static final String SEED_CONFIG = "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\":"
            + " \"processor.to.consumer-value\"}, \"MARKETING\": {\"output_topic\": \"processor.to.marketing\","
            + " \"output_subject\": \"processor.to.consumer-value\"}, \"LOGISTICS\": {\"output_topic\":"
            + " \"processor.to.logistics\", \"output_subject\": \"processor.to.consumer-value\"}}";

    @Test
    void readsTheSeedsConfigurationInlineOrFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("destinations.json");
        Files.writeString(file, SEED_CONFIG);
        for (Destinations d :
                new Destinations[] {Destinations.parseOption(SEED_CONFIG), Destinations.parseOption(file.toString())}) {
            assertThat(d.all()).hasSize(3);
            assertThat(d.get("marketing").outputTopic).isEqualTo("processor.to.marketing");
            assertThat(d.get("Finance").outputSubject).isEqualTo("processor.to.consumer-value");
            assertThat(d.get("HR")).isNull();
        }
    }

    @Test
    void refusesInOneLine() {
        assertThatThrownBy(() -> Destinations.parseOption("nope.json"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--destinations: neither JSON (starting with '{') nor an existing file: nope.json");
        assertThatThrownBy(() -> Destinations.parseOption("{}"))
                .hasMessageStartingWith("--destinations: expected a non-empty JSON object");
        assertThatThrownBy(() -> Destinations.parseOption("{\"A\": {\"topic\": \"x\"}}"))
                .hasMessage("--destinations: destination A has no \"output_topic\" string");
        assertThatThrownBy(() -> Destinations.parseOption(
                        "{\"a\": {\"output_topic\": \"x\"}, \"A\": {\"output_topic\": \"y\"}}"))
                .hasMessage("--destinations: destination A is configured twice (names ignore case)");
        assertThatThrownBy(() -> Destinations.parseOption("{\"A\": "))
                .hasMessageStartingWith("--destinations: not valid JSON");
    }

    @Test
    void aChangeIsAnEntryOrARemoval() {
        Destination added = Destinations.update(
                "legal", "{\"output_topic\": \"processor.to.legal\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(added).isEqualTo(new Destination("LEGAL", "processor.to.legal", null));
        assertThat(Destinations.update("Legal", null).isRemoved()).isTrue();
        assertThatThrownBy(() -> Destinations.update("x", "{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
