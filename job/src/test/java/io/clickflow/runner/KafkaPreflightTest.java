package io.clickflow.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.UsageException;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Without a broker, a command says at once that it waits and how long, then refuses in one line. */
class KafkaPreflightTest {

    @Test
    void noBrokerIsAnnouncedAsWaitedForThenRefusedInOneLine() throws Exception {
        int port = ChildProcesses.freePort(); // nothing listens there
        String bootstrap = "127.0.0.1:" + port;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> KafkaPreflight.checkTopics(
                            bootstrap, List.of(new KafkaPreflight.Topic("in", "--input-topic")), Duration.ofSeconds(3)))
                    .isInstanceOf(UsageException.class)
                    .hasMessage("no Kafka broker answered at " + bootstrap + " within 3 s (check --bootstrap-servers)");
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).lines())
                .as("the wait is announced before the refusal, on stderr")
                .contains("Waiting up to 3 s for a Kafka broker at " + bootstrap + " (--bootstrap-servers)...");
        assertThat(KafkaPreflight.BROKER_WAIT).as("what a command waits").isEqualTo(Duration.ofSeconds(15));
    }
}
