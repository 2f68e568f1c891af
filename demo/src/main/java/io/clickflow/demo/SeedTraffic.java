package io.clickflow.demo;

import io.clickflow.route.RouteTraffic;
import io.clickflow.route.SeedProducer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Avro router demo's input: many of the seed's producers ({@link SeedProducer}) at once, each sending to the
 * configured destinations in turn; a share of records from a producer naming the unconfigured
 * {@link RouteTraffic#UNCONFIGURED}, and a share not in the registry's wire format at all.
 */
final class SeedTraffic {
    private static final String[] SERVICE_TYPES = {"financial", "retail", "logistics", "marketing", "health"};

    /** One record to produce. */
    record Record(String key, byte[] value) {}

    private final List<SeedProducer> configured = new ArrayList<>();
    private final List<SeedProducer> unconfigured = new ArrayList<>();
    private final double unconfiguredFraction;
    private final double malformedFraction;
    private final SplittableRandom random;
    private long records;

    SeedTraffic(
            List<String> destinations,
            int producers,
            double unconfiguredFraction,
            double malformedFraction,
            long seed) {
        for (int i = 0; i < producers; i++) {
            String type = SERVICE_TYPES[i % SERVICE_TYPES.length];
            String id = Integer.toString(100_000 + i);
            configured.add(new SeedProducer(type, id, destinations, seed + i));
            unconfigured.add(new SeedProducer(type, id, List.of(RouteTraffic.UNCONFIGURED), seed - i - 1));
        }
        this.unconfiguredFraction = unconfiguredFraction;
        this.malformedFraction = malformedFraction;
        this.random = new SplittableRandom(seed);
    }

    /** The next record, event time now, Avro framed with {@code schemaId}. */
    Record next(int schemaId) {
        long n = records++;
        int producer = random.nextInt(configured.size());
        double dice = random.nextDouble();
        if (dice < malformedFraction) {
            return new Record(
                    configured.get(producer).destinations().get(0), ("not avro " + n).getBytes(StandardCharsets.UTF_8));
        }
        SeedProducer p =
                dice - malformedFraction < unconfiguredFraction ? unconfigured.get(producer) : configured.get(producer);
        SeedProducer.Event e = p.next(System.currentTimeMillis());
        return new Record(e.key(), p.value(e.record(), schemaId));
    }
}
