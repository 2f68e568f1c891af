package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The attribution seed's own sample (test resources {@code seed-000-sample/}, copied from the seed) loads as it is: its
 * field names ({@code event_id} and {@code url} in page views), its times without a zone, its topics, sent in its
 * generator's order keyed by {@code user_id} through a real broker, read by the command line's own options.
 * The table is the one the seed's README shows, read with the seed README's query.
 */
class AttributionSeedSampleITCase {
    static final int PARTITIONS = 2;

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @Test
    @Timeout(180)
    void theSeedsSampleGivesTheSeedsTable(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(PARTITIONS, "ad_clicks", "page_views");
        KAFKA.produce(sendOrder());

        AttributionOptions options = AttributionCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--bounded",
                "--starting-offsets",
                "earliest",
                "--out-of-orderness",
                "2m",
                "--attribution-window",
                "30m",
                "--jdbc-url",
                "jdbc:sqlite:" + dir.resolve("clickflow.db"),
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        AttributionJob.build(env, options);
        env.execute("seed sample");

        Database db = options.database;
        assertThat(seedReadmeQuery(db))
                .containsExactly(
                        "pv_1|user_1|2024-01-01T12:10:00.000Z|campaign_A|click_1",
                        "pv_2|user_2|2024-01-01T12:15:00.000Z|campaign_B|click_2",
                        "pv_3|user_3|2024-01-01T12:30:00.000Z|campaign_D|click_3b",
                        "pv_4|user_4|2024-01-01T13:10:00.000Z||",
                        "pv_5|user_5|2024-01-01T12:45:00.000Z|campaign_F|click_5",
                        "pv_6|user_6|2024-01-01T13:20:00.000Z||");
        assertThat(urls(db))
                .containsExactly(
                        "https://example.com/product1",
                        "https://example.com/product2",
                        "https://example.com/product3",
                        "https://example.com/product4",
                        "https://example.com/product5",
                        "https://example.com/product6");
        assertThat(ResultTables.count(db, "late_events"))
                .as("nothing is late: each stream has its own watermark")
                .isZero();
        assertThat(ResultTables.count(db, "rejected_events")).isZero();
    }

    /** The seed's events in its generator's order, each to the partition Kafka's default partitioner picks for its key. */
    static List<KafkaTestBroker.Message> sendOrder() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<KafkaTestBroker.Message> messages = new ArrayList<>();
        try (InputStream in =
                AttributionSeedSampleITCase.class.getResourceAsStream("/seed-000-sample/send-order.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = json.readTree(line);
                String key = event.get("key").asText();
                int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
                messages.add(new KafkaTestBroker.Message(
                        event.get("topic").asText(), partition, key, json.writeValueAsBytes(event.get("value"))));
            }
        }
        return messages;
    }

    /** The seed README's query, unchanged, as {@code a|b|c|d|e} lines ordered by page view. */
    static List<String> seedReadmeQuery(Database db) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "select page_view_id, user_id, event_time, attributed_campaign_id, attributed_click_id "
                                + "from attributed_page_views order by page_view_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                        + (rs.getString(4) == null ? "" : rs.getString(4)) + "|"
                        + (rs.getString(5) == null ? "" : rs.getString(5)));
            }
        }
        return rows;
    }

    static List<String> urls(Database db) throws Exception {
        List<String> urls = new ArrayList<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT url FROM attributed_page_views ORDER BY page_view_id")) {
            while (rs.next()) {
                urls.add(rs.getString(1));
            }
        }
        return urls;
    }
}
