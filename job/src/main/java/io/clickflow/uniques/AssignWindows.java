package io.clickflow.uniques;

import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.util.Collector;

/** Sends a frame's user to the shard of each of its windows, one per window size; stateless. */
public class AssignWindows extends RichFlatMapFunction<Frame, WindowedUser> {
    private static final long serialVersionUID = 1L;

    private final WindowKeys windows;
    private transient Counter framesIn;

    public AssignWindows(WindowKeys windows) {
        this.windows = windows;
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup();
        framesIn = metrics.counter("framesIn");
        metrics.meter("framesPerSecond", new MeterView(framesIn));
    }

    @Override
    public void flatMap(Frame frame, Collector<WindowedUser> out) {
        framesIn.inc();
        assign(windows, frame, out);
    }

    /** The frame's user in each of its windows, all in the user's shard. */
    public static void assign(WindowKeys windows, Frame frame, Collector<WindowedUser> out) {
        int shard = windows.shard(frame.uid);
        for (int i = 0; i < windows.sizeCount(); i++) {
            long shardKey = WindowKeys.shardKey(windows.windowKey(i, frame.eventTime), shard);
            out.collect(new WindowedUser(shardKey, frame.uid, frame.eventTime));
        }
    }
}
