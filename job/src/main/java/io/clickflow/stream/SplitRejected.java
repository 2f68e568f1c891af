package io.clickflow.stream;

import io.clickflow.decode.Decoded;
import io.clickflow.tables.RejectedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Passes decoded events on and sends rejected records to {@link #REJECTED}; stateless. */
public class SplitRejected<T> extends ProcessFunction<Decoded<T>, T> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected-events", TypeInformation.of(RejectedEvent.class));

    private transient Counter rejected;

    @Override
    public void open(OpenContext openContext) {
        rejected = getRuntimeContext().getMetricGroup().counter("rejectedEvents");
    }

    @Override
    public void processElement(Decoded<T> decoded, Context ctx, Collector<T> out) {
        if (decoded.rejected != null) {
            rejected.inc();
            ctx.output(REJECTED, decoded.rejected);
        } else {
            out.collect(decoded.event);
        }
    }
}
