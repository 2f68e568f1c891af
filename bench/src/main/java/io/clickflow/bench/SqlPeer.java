package io.clickflow.bench;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.EventTimed;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * What the counting jobs' Flink SQL peers share: clickflow's own source, per-split watermarks and rejected-records
 * sink in front of a view of the decoded events, so that only the counting differs from the job's.
 */
final class SqlPeer {
    private SqlPeer() {}

    /**
     * The events of {@code source} as the view {@code view} (a column per public field of {@code type}, and {@code
     * rowtime}: the event time, with the source's watermarks), its rejected records upserted into {@code db}.
     */
    static <T extends EventTimed> StreamTableEnvironment view(
            StreamExecutionEnvironment env,
            Source<Decoded<T>, ?, ?> source,
            Class<T> type,
            Duration outOfOrderness,
            Duration idleTimeout,
            String view,
            Database db) {
        // Flink SQL's runtime is built for object reuse; each side runs with what suits it best.
        env.getConfig().enableObjectReuse();
        SingleOutputStreamOperator<T> events = env.fromSource(
                        source, EventWatermarks.strategy(outOfOrderness, idleTimeout), view)
                .uid(view + "-source")
                .process(new SplitRejected<T>(), TypeInformation.of(type))
                .uid(view + "-split-rejected");
        JdbcSinks.upsert(
                events.getSideOutput(SplitRejected.REJECTED), DeadLetterTables.REJECTED, db, env.getParallelism());
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC); // window bounds come back as UTC wall-clock times
        tables.createTemporaryView(
                view,
                events,
                Schema.newBuilder()
                        .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                        .watermark("rowtime", "SOURCE_WATERMARK()")
                        .build());
        return tables;
    }

    /** A job's input: the file or folder {@code file} when it is set, else {@code topic} of {@code kafka}. */
    static <T> Source<Decoded<T>, ?, ?> source(
            Path file,
            Sources.KafkaInput kafka,
            String topic,
            JsonEventDecoder<T> decoder,
            TypeInformation<Decoded<T>> type) {
        return file != null ? Sources.file(file, decoder, type) : Sources.kafka(kafka, topic, decoder, type);
    }

    /** TUMBLE's window bounds are TIMESTAMP(3) without a zone when the time column is TIMESTAMP_LTZ: UTC here. */
    static long millis(Object t) {
        return t instanceof LocalDateTime l ? l.toInstant(ZoneOffset.UTC).toEpochMilli() : ((Instant) t).toEpochMilli();
    }
}
