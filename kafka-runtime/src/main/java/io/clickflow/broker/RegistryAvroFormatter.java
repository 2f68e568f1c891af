package io.clickflow.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A formatter for Kafka's console consumer that prints values in the Confluent wire format (magic byte 0, schema id,
 * Avro body) as JSON, decoded with the writer schema fetched from a Confluent-compatible registry: Confluent's own
 * {@code kafka-avro-console-consumer} is not on Maven Central. Properties ({@code --formatter-property}):
 * {@code schema.registry.url} (required), {@code print.key}, {@code print.headers} (default false).
 */
public final class RegistryAvroFormatter implements MessageFormatter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    private String url;
    private boolean printKey;
    private boolean printHeaders;

    @Override
    public void configure(Map<String, ?> configs) {
        Object u = configs.get("schema.registry.url");
        if (u == null || u.toString().isBlank()) {
            throw new ConfigException("give --formatter-property schema.registry.url=URL");
        }
        url = u.toString().strip().replaceAll("/+$", "");
        printKey = Boolean.parseBoolean(String.valueOf(configs.get("print.key")));
        printHeaders = Boolean.parseBoolean(String.valueOf(configs.get("print.headers")));
    }

    @Override
    public void writeTo(ConsumerRecord<byte[], byte[]> record, PrintStream out) {
        if (printKey) {
            out.print(record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8));
            out.print('\t');
        }
        if (printHeaders) {
            StringBuilder h = new StringBuilder();
            for (Header header : record.headers()) {
                h.append(h.length() == 0 ? "" : ",").append(header.key()).append(':');
                h.append(header.value() == null ? "null" : new String(header.value(), StandardCharsets.UTF_8));
            }
            out.print(h.length() == 0 ? "NO_HEADERS" : h);
            out.print('\t');
        }
        out.println(value(record.value()));
    }

    private String value(byte[] value) {
        if (value == null) {
            return "null";
        }
        if (value.length < 5 || value[0] != 0) {
            return "(not in the registry wire format) " + new String(value, StandardCharsets.UTF_8);
        }
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        try {
            GenericDatumReader<GenericRecord> reader = readers.get(id);
            if (reader == null) {
                reader = new GenericDatumReader<>(new Schema.Parser().parse(schema(id)));
                readers.put(id, reader);
            }
            return reader.read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null))
                    .toString();
        } catch (IOException | RuntimeException e) {
            return "(schema " + id + ": " + e.getMessage() + ")";
        }
    }

    private String schema(int id) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        url + "/schemas/ids/" + URLEncoder.encode(Integer.toString(id), StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/vnd.schemaregistry.v1+json")
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(request.uri() + " answered " + response.statusCode() + " " + response.body());
        }
        JsonNode schema = JSON.readTree(response.body()).get("schema");
        if (schema == null) {
            throw new IOException("no schema in " + response.body());
        }
        return schema.asText();
    }
}
