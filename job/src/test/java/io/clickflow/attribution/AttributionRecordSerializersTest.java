package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.DecodedSerializer;
import io.clickflow.stream.EmitMode;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The attribution workflow's records travel with their hand-written serializers: every operator from the sources to the
 * attributed rows' sink reads and writes them with those, never with Flink's reflective POJO serializer or Kryo.
 */
class AttributionRecordSerializersTest {
    private static final Duration WINDOW = Duration.ofMinutes(30);
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final String ROWS_SINK = "attributed-rows-sink";

    @Test
    void everyOperatorOnTheRecordsPathUsesTheHandWrittenSerializers(@TempDir Path dir) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AttributionWorkflow.defineWorkflow(
                env,
                new AttributionWorkflow.Settings(WINDOW, EmitMode.ON_WATERMARK, OUT_OF_ORDERNESS, IDLE_TIMEOUT),
                Sources.file(dir.resolve("clicks.jsonl"), new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.file(dir.resolve("views.jsonl"), new PageViewDecoder(), PageViewDecoder.TYPE),
                new AttributionWorkflow.Sinks(
                        rows -> rows.sinkTo(new DiscardingSink<>()).uid(ROWS_SINK),
                        rejected -> rejected.sinkTo(new DiscardingSink<>()),
                        late -> late.sinkTo(new DiscardingSink<>())));
        StreamGraph graph = env.getStreamGraph();

        TypeSerializer<?> clicks = AdClickSerializer.INSTANCE;
        TypeSerializer<?> views = PageViewSerializer.INSTANCE;
        TypeSerializer<?> rows = AttributedPageViewSerializer.INSTANCE;
        TypeSerializer<?> decodedClicks = new DecodedSerializer<>(AdClickSerializer.INSTANCE);
        TypeSerializer<?> decodedViews = new DecodedSerializer<>(PageViewSerializer.INSTANCE);

        assertThat(node(graph, "ad-clicks-source").getTypeSerializerOut()).isEqualTo(decodedClicks);
        assertThat(node(graph, "page-views-source").getTypeSerializerOut()).isEqualTo(decodedViews);
        assertThat(node(graph, "ad-clicks-split-rejected").getTypeSerializersIn())
                .containsExactly(decodedClicks);
        assertThat(node(graph, "ad-clicks-split-rejected").getTypeSerializerOut())
                .isEqualTo(clicks);
        assertThat(node(graph, "page-views-split-rejected").getTypeSerializersIn())
                .containsExactly(decodedViews);
        assertThat(node(graph, "page-views-split-rejected").getTypeSerializerOut())
                .isEqualTo(views);
        assertThat(node(graph, "attribution").getTypeSerializersIn()).containsExactly(clicks, views);
        assertThat(node(graph, "attribution").getTypeSerializerOut()).isEqualTo(rows);
        assertThat(node(graph, ROWS_SINK).getTypeSerializersIn()).containsExactly(rows);
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream()
                .filter(n -> uid.equals(n.getTransformationUID()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no operator with uid " + uid));
    }
}
