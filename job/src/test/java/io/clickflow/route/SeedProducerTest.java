package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The generator's records are the seed 003 producer's: decoded with the seed's own ProducerToProcessor schema (test
 * resources, verbatim), one destination each in turn, upper-cased, keyed by producer id plus destination, in the
 * Confluent wire format; the JSON form carries the same five fields.
 */
class SeedProducerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void avroRecordsAreTheSeedsProducerRecordsOneDestinationEachInTurn() throws Exception {
        SeedProducer producer = new SeedProducer("financial", "123456", List.of("FINANCE", "marketing"), 7);
        List<GenericRecord> decoded = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SeedProducer.Event e = producer.next(1_700_000_000_000L + i);
            byte[] value = producer.value(e.record(), 42);
            assertThat(value[0]).as("magic byte").isZero();
            assertThat(AvroEvents.schemaId(value)).isEqualTo(42);
            decoded.add(seedDecode(AvroEvents.bodyOf(value)));
            keys.add(e.key());
        }
        assertThat(decoded)
                .extracting(r -> r.get("destination_service_type").toString())
                .containsExactly("FINANCE", "MARKETING", "FINANCE", "MARKETING");
        assertThat(keys).containsExactly("123456:FINANCE", "123456:MARKETING", "123456:FINANCE", "123456:MARKETING");
        for (int i = 0; i < decoded.size(); i++) {
            GenericRecord r = decoded.get(i);
            assertThat(r.get("origin_service_id").toString()).isEqualTo("123456");
            assertThat(r.get("origin_service_type").toString()).isEqualTo("financial");
            assertThat(r.get("event_timestamp")).isEqualTo(1_700_000_000_000L + i);
            assertThat(r.get("payload").toString())
                    .matches("dummy-payload [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        }
        assertThat(decoded).extracting(r -> r.get("payload").toString()).doesNotHaveDuplicates();
        assertThat(SeedProducer.SCHEMA_TEXT).isEqualTo(SeedEvents.PRODUCER_SCHEMA_TEXT);
    }

    @Test
    void jsonRecordsCarryTheSameFiveFields() throws Exception {
        SeedProducer producer = new SeedProducer("retail", "r-9", List.of(" legal "), 1);
        SeedProducer.Event e = producer.next(1_234L);
        JsonNode json = JSON.readTree(producer.value(e.record(), -1));
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly(
                        "origin_service_id",
                        "origin_service_type",
                        "destination_service_type",
                        "event_timestamp",
                        "payload");
        assertThat(json.get("origin_service_id").asText()).isEqualTo("r-9");
        assertThat(json.get("origin_service_type").asText()).isEqualTo("retail");
        assertThat(json.get("destination_service_type").asText()).isEqualTo("LEGAL");
        assertThat(json.get("event_timestamp").isIntegralNumber()).isTrue();
        assertThat(json.get("event_timestamp").asLong()).isEqualTo(1_234L);
        assertThat(json.get("payload").asText())
                .isEqualTo(e.record().get("payload").toString());
        assertThat(e.key()).isEqualTo("r-9:LEGAL");
    }

    static GenericRecord seedDecode(byte[] body) throws IOException {
        return new GenericDatumReader<GenericRecord>(SeedEvents.PRODUCER_TO_PROCESSOR)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
    }
}
