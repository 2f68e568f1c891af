package io.clickflow.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The console consumer's Avro formatter against a registry (a JDK HTTP server) that demands HTTP basic auth and
 * answers a writer schema with a reference: decoded with the referenced schema, credentials from the URL or
 * {@code basic.auth.user.info}.
 */
class RegistryAvroFormatterTest {
    static final String ADDRESS = "{\"type\": \"record\", \"name\": \"Address\", \"namespace\": \"io.tenant\", "
            + "\"fields\": [{\"name\": \"city\", \"type\": \"string\"}]}";
    static final String EVENT = "{\"type\": \"record\", \"name\": \"Event\", \"namespace\": \"io.tenant\", "
            + "\"fields\": [{\"name\": \"ship_to\", \"type\": \"io.tenant.Address\"}]}";

    HttpServer registry;
    int requests;

    @BeforeEach
    void start() throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString("alice:p@ss".getBytes(StandardCharsets.UTF_8));
        Map<String, String> answers = Map.of(
                "/schemas/ids/5",
                "{\"schema\": " + quote(EVENT) + ", \"references\": [{\"name\": \"io.tenant.Address\", "
                        + "\"subject\": \"address-value\", \"version\": 1}]}",
                "/subjects/address-value/versions/1",
                "{\"id\": 4, \"schema\": " + quote(ADDRESS) + "}");
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            requests++;
            String answer = answers.get(exchange.getRequestURI().getPath().replace("/apis/ccompat/v7", ""));
            int status = !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    ? 401
                    : answer == null ? 404 : 200;
            byte[] body =
                    (status == 200 ? answer : "{\"error_code\": " + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
    }

    static String quote(String json) {
        return "\"" + json.replace("\"", "\\\"") + "\"";
    }

    static byte[] framed() throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Schema address = parser.parse(ADDRESS);
        Schema event = parser.parse(EVENT);
        GenericRecord a = new GenericData.Record(address);
        a.put("city", "Recife");
        GenericRecord e = new GenericData.Record(event);
        e.put("ship_to", a);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0, 0, 5});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(event).write(e, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    String format(Map<String, String> configs) throws IOException {
        RegistryAvroFormatter formatter = new RegistryAvroFormatter();
        formatter.configure(configs);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        formatter.writeTo(
                new ConsumerRecord<>("t", 0, 0L, null, framed()), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    String url() {
        return "http://127.0.0.1:" + registry.getAddress().getPort() + "/apis/ccompat/v7";
    }

    @Test
    void aSchemaWithAReferenceIsDecodedWithTheCredentialsOfTheUrlOrTheProperty() throws IOException {
        assertThat(format(Map.of("schema.registry.url", url().replace("http://", "http://alice:p%40ss@"))))
                .isEqualTo("{\"ship_to\": {\"city\": \"Recife\"}}");
        assertThat(format(Map.of("schema.registry.url", url(), "basic.auth.user.info", "alice:p@ss")))
                .isEqualTo("{\"ship_to\": {\"city\": \"Recife\"}}");
        assertThat(requests).isEqualTo(4);
    }

    @Test
    void aWrongPasswordIsSaidWithoutShowingIt() throws IOException {
        assertThat(format(Map.of("schema.registry.url", url().replace("http://", "http://alice:wrong@"))))
                .isEqualTo("(schema 5: " + url() + "/schemas/ids/5 answered 401 {\"error_code\": 401})");
    }
}
