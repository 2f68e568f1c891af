package io.clickflow.route;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Routes each record by the destinations configured at start (no {@code --destinations-topic}): stateless,
 * so it chains to the source and each source partition's records keep their order.
 */
public class RouteFunction extends ProcessFunction<KafkaRecord, KafkaRecord> {
    private static final long serialVersionUID = 1L;

    private final RouteSettings settings;
    private transient Router router;

    public RouteFunction(RouteSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        router = Router.open(settings, getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(KafkaRecord record, Context ctx, Collector<KafkaRecord> out) {
        router.route(record, settings.destinations()::get, out);
    }

    @Override
    public void close() {
        if (router != null) {
            router.close();
        }
    }
}
