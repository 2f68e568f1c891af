package io.clickflow.route;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-tenant events in the seed's form, for the demo, the bench and tests: tenants of a few service types,
 * each event to one to three destinations (names in mixed case, sometimes repeated), a share naming an
 * unconfigured destination, malformed records and decoys (routing fields nested in the payload). Each key's
 * events carry an increasing {@code sequence} in the payload, so order per key can be checked downstream.
 */
public final class RouteTraffic {
    static final String[] SERVICE_TYPES = {"financial", "retail", "logistics", "marketing", "health"};
    /** Named by some events but configured nowhere. */
    public static final String UNCONFIGURED = "PAYROLL";

    /** What to generate. */
    public record Config(
            List<String> destinations,
            int tenants,
            double unconfiguredFraction,
            double malformedFraction,
            double decoyFraction,
            long seed) {}

    /** One record to produce. */
    public record Event(byte[] key, byte[] value, String traceHeader) {
        public String keyText() {
            return new String(key, StandardCharsets.UTF_8);
        }

        public String valueText() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private final Config config;
    private final SplittableRandom random;
    private final long[] sequences;
    private long events;

    public RouteTraffic(Config config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        this.sequences = new long[config.tenants()];
    }

    /** The next event, its event_time a fixed point in 2023 plus one millisecond per event (reproducible). */
    public Event next() {
        return next(1_700_000_000_000L + events);
    }

    /** The next event, its event_time {@code eventTimeMillis} (the demo: now). */
    public Event next(long eventTimeMillis) {
        long n = events++;
        int tenant = random.nextInt(config.tenants());
        String type = SERVICE_TYPES[tenant % SERVICE_TYPES.length];
        String id = Integer.toString(100_000 + tenant);
        byte[] key = (type + ":" + id).getBytes(StandardCharsets.UTF_8);
        String trace = "trace-" + n;
        double dice = random.nextDouble();
        if (dice < config.malformedFraction()) {
            String[] bad = {
                "{\"event_id\": \"e-" + n + "\", \"destinations\": ",
                "[\"" + config.destinations().get(0) + "\"]",
                "{\"event_id\": \"e-" + n + "\", \"origin_service_type\": \"" + type + "\", \"destinations\": []}",
                "not json " + n
            };
            return new Event(key, bad[random.nextInt(bad.length)].getBytes(StandardCharsets.UTF_8), trace);
        }
        List<String> names = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String name = config.destinations()
                    .get(random.nextInt(config.destinations().size()));
            names.add(random.nextBoolean() ? name : name.toLowerCase(java.util.Locale.ROOT));
        }
        dice -= config.malformedFraction();
        if (dice < config.unconfiguredFraction()) {
            names.add(UNCONFIGURED);
        }
        dice -= config.unconfiguredFraction();
        String payload = "{\"sequence\": " + sequences[tenant]++ + ", \"amount\": " + random.nextInt(10_000)
                + (dice < config.decoyFraction() ? ", \"destinations\": [\"" + UNCONFIGURED + "\"]" : "") + "}";
        StringBuilder json = new StringBuilder(256)
                .append("{\"event_id\": \"e-")
                .append(n)
                .append("\", \"origin_service_type\": \"")
                .append(type)
                .append("\", \"origin_service_id\": \"")
                .append(id)
                .append("\", \"destinations\": [");
        for (int i = 0; i < names.size(); i++) {
            json.append(i == 0 ? "\"" : ", \"").append(names.get(i)).append('"');
        }
        json.append("], \"event_time\": \"")
                .append(Instant.ofEpochMilli(eventTimeMillis))
                .append("\", \"payload\": ")
                .append(payload)
                .append('}');
        return new Event(key, json.toString().getBytes(StandardCharsets.UTF_8), trace);
    }
}
