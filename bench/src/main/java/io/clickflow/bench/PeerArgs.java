package io.clickflow.bench;

import io.clickflow.route.Destinations;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code bench router} tells the ceiling's and the Kafka Streams peer's JVMs: {@code --name value} pairs (the
 * parent builds them; no user types them), and {@code --bounded} to run to the end of the input and report.
 */
record PeerArgs(
        String bootstrapServers,
        String inputTopic,
        Destinations destinations,
        String deadLetterTopic,
        int threads,
        long commitIntervalMillis,
        String applicationId,
        String stateDir,
        boolean bounded) {

    static PeerArgs parse(String... args) {
        Map<String, String> m = new HashMap<>();
        boolean bounded = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--bounded")) {
                bounded = true;
            } else {
                m.put(args[i], args[++i]);
            }
        }
        return new PeerArgs(
                m.get("--bootstrap-servers"),
                m.get("--input-topic"),
                Destinations.parse(m.get("--destinations")),
                m.get("--dead-letter-topic"),
                Integer.parseInt(m.getOrDefault("--threads", "1")),
                Long.parseLong(m.getOrDefault("--commit-interval-ms", "1000")),
                m.getOrDefault("--application-id", "bench-router-peer"),
                m.get("--state-dir"),
                bounded);
    }

    /** The command line {@link #parse} reads. */
    static List<String> args(
            String bootstrapServers,
            String inputTopic,
            String destinationsJson,
            String deadLetterTopic,
            int threads,
            long commitIntervalMillis,
            String applicationId,
            String stateDir,
            boolean bounded) {
        List<String> a = new java.util.ArrayList<>(List.of(
                "--bootstrap-servers", bootstrapServers,
                "--input-topic", inputTopic,
                "--destinations", destinationsJson,
                "--dead-letter-topic", deadLetterTopic,
                "--threads", Integer.toString(threads),
                "--commit-interval-ms", Long.toString(commitIntervalMillis),
                "--application-id", applicationId,
                "--state-dir", stateDir));
        if (bounded) {
            a.add("--bounded");
        }
        return a;
    }

    RouteFanout fanout() {
        return new RouteFanout(destinations, deadLetterTopic);
    }
}
