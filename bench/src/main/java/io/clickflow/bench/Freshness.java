package io.clickflow.bench;

import io.clickflow.attribution.ClickstreamGenerator;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Update-mode freshness: page views appended to Kafka at a fixed rate (with clicks), and for each the time
 * from its append (the broker's LogAppendTime) to its row being readable in the database, found by
 * polling the table for new rows every few milliseconds.
 */
final class Freshness {
    private Freshness() {}

    /** Latencies in milliseconds of the views appended after the warm-up, and what was produced. */
    record Result(List<Long> latenciesMillis, long measuredViews, long missing, long events, double achievedRate) {
        long percentile(double p) {
            if (latenciesMillis.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(latenciesMillis);
            Collections.sort(sorted);
            return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1));
        }
    }

    static Result measure(
            String bootstrapServers,
            String clicksTopic,
            String viewsTopic,
            Database db,
            double rate,
            long warmupMillis,
            long measureMillis,
            int users)
            throws Exception {
        Map<String, Long> appended = new ConcurrentHashMap<>();
        Map<String, Long> latency = new ConcurrentHashMap<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread poller = new Thread(() -> poll(db, appended, latency, failure), "freshness-poller");
        poller.setDaemon(true);
        poller.start();

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        ClickstreamGenerator generator = new ClickstreamGenerator(ClickstreamGenerator.Config.defaults()
                .withSeed(7)
                .withUsers(users)
                .withClickRatio(0.1)
                .withEventsPerSecond(rate)
                .withStartTime(System.currentTimeMillis())
                .withMaxDisorderMillis(1000)
                .withMalformedFraction(0)
                .withDuplicateFraction(0)
                .withLateFraction(0));
        long start = System.nanoTime();
        long warmupEnd = start + warmupMillis * 1_000_000;
        long end = warmupEnd + measureMillis * 1_000_000;
        long n = 0;
        long measured = 0;
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < end) {
                long due = start + (long) (n * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 200_000) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                ClickstreamGenerator.Event e = generator.next();
                boolean measure = System.nanoTime() >= warmupEnd && e.view() != null;
                String id = e.view() != null ? e.view().pageViewId : null;
                if (measure) {
                    measured++;
                }
                producer.send(
                        new ProducerRecord<>(
                                e.isClick() ? clicksTopic : viewsTopic,
                                e.userId(),
                                e.json().getBytes(StandardCharsets.UTF_8)),
                        (md, ex) -> {
                            if (ex != null) {
                                failure.compareAndSet(null, ex);
                            } else if (measure) {
                                appended.put(id, md.timestamp());
                            }
                        });
                n++;
            }
            producer.flush();
        }
        double achieved = n / ((System.nanoTime() - start) / 1e9);
        long deadline = System.currentTimeMillis() + 15_000;
        while (latency.size() < measured && System.currentTimeMillis() < deadline && failure.get() == null) {
            Thread.sleep(50);
        }
        poller.interrupt();
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Result(new ArrayList<>(latency.values()), measured, measured - latency.size(), n, achieved);
    }

    /** New rows by rowid (an upsert keeps its row's rowid, so a new rowid is a first appearance). */
    private static void poll(
            Database db, Map<String, Long> appended, Map<String, Long> latency, AtomicReference<Exception> failure) {
        long lastRowId = 0;
        Map<String, Long> seen = new HashMap<>();
        try (Connection c = db.connect();
                PreparedStatement q = c.prepareStatement("SELECT rowid, page_view_id FROM "
                        + AttributionTables.ATTRIBUTED.name() + " WHERE rowid > ? ORDER BY rowid")) {
            while (!Thread.currentThread().isInterrupted()) {
                q.setLong(1, lastRowId);
                long now = System.currentTimeMillis();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        lastRowId = rs.getLong(1);
                        seen.put(rs.getString(2), now);
                    }
                }
                // The producer's callback may come after the row is visible: match both ways round.
                for (var it = seen.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    Long append = appended.get(e.getKey());
                    if (append != null) {
                        latency.put(e.getKey(), Math.max(0, e.getValue() - append));
                        it.remove();
                    } else if (now - e.getValue() > 30_000) {
                        it.remove(); // a warm-up view
                    }
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }
}
