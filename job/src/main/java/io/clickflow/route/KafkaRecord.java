package io.clickflow.route;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One Kafka record as read or as to be written: topic, key, value, headers and timestamp, bytes untouched. */
public class KafkaRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    /** Null when the record has no key. */
    public byte[] key;
    /** Null for a tombstone. */
    public byte[] value;
    /** Header names and values side by side: arrays keep the record a POJO Flink serializes without Kryo. */
    public String[] headerKeys = new String[0];

    public byte[][] headerValues = new byte[0][];

    public KafkaRecord() {}

    /** The record as the consumer read it; its position is kept for the headers that name where it came from. */
    public static KafkaRecord of(ConsumerRecord<byte[], byte[]> r) {
        KafkaRecord k = new KafkaRecord();
        k.topic = r.topic();
        k.partition = r.partition();
        k.offset = r.offset();
        k.timestamp = r.timestamp();
        k.key = r.key();
        k.value = r.value();
        Header[] headers = r.headers().toArray();
        k.headerKeys = new String[headers.length];
        k.headerValues = new byte[headers.length][];
        for (int i = 0; i < headers.length; i++) {
            k.headerKeys[i] = headers[i].key();
            k.headerValues[i] = headers[i].value();
        }
        return k;
    }

    /** {@code topic/partition/offset}, the record's place in its source. */
    public String position() {
        return topic + "/" + partition + "/" + offset;
    }

    /** The same key, value, timestamp and headers, bound for {@code toTopic}, with more headers appended. */
    public KafkaRecord copyTo(String toTopic, String... extraHeaders) {
        KafkaRecord c = new KafkaRecord();
        c.topic = toTopic;
        c.partition = -1;
        c.offset = -1;
        c.timestamp = timestamp;
        c.key = key;
        c.value = value;
        int n = headerKeys.length;
        c.headerKeys = Arrays.copyOf(headerKeys, n + extraHeaders.length / 2);
        c.headerValues = Arrays.copyOf(headerValues, n + extraHeaders.length / 2);
        for (int i = 0; i < extraHeaders.length / 2; i++) {
            c.headerKeys[n + i] = extraHeaders[2 * i];
            c.headerValues[n + i] = extraHeaders[2 * i + 1].getBytes(StandardCharsets.UTF_8);
        }
        return c;
    }

    /** The value of the last header named {@code name}, as UTF-8, or null. */
    public String header(String name) {
        for (int i = headerKeys.length - 1; i >= 0; i--) {
            if (headerKeys[i].equals(name)) {
                return headerValues[i] == null ? null : new String(headerValues[i], StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
