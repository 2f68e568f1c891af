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
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A formatter for Kafka's console consumer that prints values in the Confluent wire format (magic byte 0, schema id,
 * Avro body) as JSON, decoded with the writer schema fetched from a Confluent-compatible registry: Confluent's own
 * {@code kafka-avro-console-consumer} is not on Maven Central. Properties ({@code --formatter-property}):
 * {@code schema.registry.url} (required; a {@code user:password@} in it is HTTP basic auth), {@code
 * basic.auth.user.info} ({@code USER:PASSWORD}, as Confluent's formatter takes it), {@code print.key}, {@code
 * print.headers} (default false). A writer schema with references is parsed with the schemas it references.
 */
public final class RegistryAvroFormatter implements MessageFormatter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    private String url;
    /** Null: no Authorization header. */
    private String authorization;

    private boolean printKey;
    private boolean printHeaders;

    @Override
    public void configure(Map<String, ?> configs) {
        Object u = configs.get("schema.registry.url");
        if (u == null || u.toString().isBlank()) {
            throw new ConfigException("give --formatter-property schema.registry.url=URL");
        }
        url = u.toString().strip().replaceAll("/+$", "");
        String userInfo = configs.get("basic.auth.user.info") == null
                ? null
                : configs.get("basic.auth.user.info").toString();
        try {
            URI parsed = new URI(url);
            if (parsed.getUserInfo() != null) {
                userInfo = userInfo != null ? userInfo : parsed.getUserInfo();
                url = url.replaceFirst("(?<=//)[^/?#]*@", "");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException("schema.registry.url is not a URL");
        }
        authorization = userInfo == null
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
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
                JsonNode writer = get("/schemas/ids/" + id);
                Schema.Parser parser = new Schema.Parser();
                defineReferences(writer, parser, new HashSet<>());
                reader = new GenericDatumReader<>(parser.parse(text(writer)));
                readers.put(id, reader);
            }
            return reader.read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null))
                    .toString();
        } catch (IOException | RuntimeException e) {
            return "(schema " + id + ": " + e.getMessage() + ")";
        }
    }

    /** Parses what {@code schema} references (and what that references, first) into {@code parser}, once each. */
    private void defineReferences(JsonNode schema, Schema.Parser parser, Set<String> defined) throws IOException {
        for (JsonNode r : schema.path("references")) {
            String path = "/subjects/" + URLEncoder.encode(r.path("subject").asText(), StandardCharsets.UTF_8)
                    + "/versions/" + r.path("version").asInt();
            if (defined.add(path)) {
                JsonNode referenced = get(path);
                defineReferences(referenced, parser, defined);
                parser.parse(text(referenced));
            }
        }
    }

    private static String text(JsonNode answer) throws IOException {
        JsonNode schema = answer.get("schema");
        if (schema == null) {
            throw new IOException("no schema in " + answer);
        }
        return schema.asText();
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/vnd.schemaregistry.v1+json")
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpRequest r = request.build();
        HttpResponse<String> response;
        try {
            response = http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(r.uri() + " answered " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
