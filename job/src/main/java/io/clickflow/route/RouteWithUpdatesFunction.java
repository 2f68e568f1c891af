package io.clickflow.route;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each record by the starting destinations overlaid with the changes read from the destinations topic
 * (broadcast state, checkpointed): a change applies to every record processed after it reached the subtask.
 */
public class RouteWithUpdatesFunction extends BroadcastProcessFunction<KafkaRecord, Destination, KafkaRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RouteWithUpdatesFunction.class);

    /**
     * Changes by destination name; a removal stays as an entry (it must shadow the starting configuration), so the
     * state holds at most one entry per name ever configured.
     */
    static final MapStateDescriptor<String, Destination> UPDATES_STATE =
            new MapStateDescriptor<>("destination-updates", Types.STRING, TypeInformation.of(Destination.class));

    private final RouteSettings settings;
    private transient Router router;

    public RouteWithUpdatesFunction(RouteSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        router = Router.open(settings, getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(KafkaRecord record, ReadOnlyContext ctx, Collector<KafkaRecord> out) throws Exception {
        ReadOnlyBroadcastState<String, Destination> updates = ctx.getBroadcastState(UPDATES_STATE);
        router.route(
                record,
                name -> {
                    try {
                        Destination changed = updates.get(name);
                        return changed != null
                                ? changed
                                : settings.destinations().get(name);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot read the destination updates", e);
                    }
                },
                out);
    }

    @Override
    public void processBroadcastElement(Destination update, Context ctx, Collector<KafkaRecord> out) throws Exception {
        Destination before = ctx.getBroadcastState(UPDATES_STATE).get(update.name);
        if (before == null) {
            before = settings.destinations().get(update.name);
        }
        if (!update.equals(before)) {
            LOG.info("Destination {} changed: {} -> {}", update.name, before, update);
        }
        ctx.getBroadcastState(UPDATES_STATE).put(update.name, update);
    }

    @Override
    public void close() {
        if (router != null) {
            router.close();
        }
    }
}
