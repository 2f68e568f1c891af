package io.clickflow.options;

import io.clickflow.io.KafkaSinks;

import picocli.CommandLine.Option;

/** How a job writes to its Kafka output topics: the one option every job with such topics has, spelled the same. */
public final class DeliveryOptions {
    @Option(
            names = "--output-delivery",
            paramLabel = "GUARANTEE",
            defaultValue = "exactly-once",
            description =
                    "exactly-once: Kafka transactions per checkpoint | at-least-once: at once, repeats after a restart.")
    KafkaSinks.Delivery delivery;

    public KafkaSinks.Delivery delivery() {
        return delivery;
    }
}
